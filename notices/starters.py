"""Ready-made starting texts for one-to-one notices; staff edit them before posting."""

from django.utils.translation import gettext_lazy as _

STARTERS = [
    (
        "thanks",
        _("Thank you for your visit"),
        _("Thank you for your visit"),
        _(
            "%(name)s, thank you for visiting %(salon)s today.\n"
            "How is your new style? If anything bothers you, please let us know.\n"
            "We look forward to seeing you again."
        ),
    ),
    (
        "birthday",
        _("Birthday"),
        _("Happy birthday!"),
        _(
            "Happy birthday, %(name)s!\n"
            "Everyone at %(salon)s wishes you a wonderful year.\n"
            "We hope to see you soon."
        ),
    ),
    (
        "next",
        _("Next booking"),
        _("About your next visit"),
        _(
            "%(name)s, it is almost time for your next visit.\n"
            "To keep your style at its best, we recommend coming in soon.\n"
            "We look forward to your booking."
        ),
    ),
]


def starters_for(*, customer_name: str, salon_name: str) -> list[dict]:
    values = {"name": customer_name, "salon": salon_name}
    return [
        {"key": key, "label": label, "title": str(title), "body": str(body) % values}
        for key, label, title, body in STARTERS
    ]
