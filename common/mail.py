"""Email to a person: rendered in their language as plain text and HTML, sent by the task queue.

A mail is rendered where it is asked for (the request has what it says at hand) and handed to the
queue as finished text, so that a worker never needs the request, and an SMTP server that is down
for a while costs retries, not the mail: the task backs off 30 s, 60 s, 2 min … for about an hour.

Templates come in threes under one name: `<name>_subject.txt`, `<name>.txt` and `<name>.html`.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .tasks import INTERACTIVE, enqueue_safely, task

log = logging.getLogger("karte.mail")

MAIL_RETRIES = 7
MAIL_RETRY_DELAY_SECONDS = 30


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def mail_render(*, to: str, template: str, context: dict[str, object], language: str) -> Mail:
    """The mail `template` to `to`, written in `language` (the recipient's, not the sender's)."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    # A subject is one line, whatever the template's line breaks.
    return Mail(to=to, subject=" ".join(subject.split()), text=text, html=html)


# A password link is waited for at a screen.
@task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY_SECONDS, retry_backoff=2, priority=INTERACTIVE)  # type: ignore[untyped-decorator]
def mail_deliver(to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def mail_send(*, to: str, template: str, context: dict[str, object], language: str) -> bool:
    """Render and queue one mail. False when neither the queue nor the recipient could be reached
    (nothing to send to, or the queue is down): the caller's work stands without its mail."""
    if not to:
        return False
    mail = mail_render(to=to, template=template, context=context, language=language)
    return enqueue_safely(mail_deliver, mail.to, mail.subject, mail.text, mail.html)
