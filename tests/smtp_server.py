"""A real SMTP server of the test's own (aiosmtpd on 127.0.0.1, a free port): the app's mail goes
over a socket through Django's SMTP backend, and the test reads what arrived."""

import email
import email.policy
import re
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.inbox = _Inbox()
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.inbox.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def clear(self):
        self.inbox.messages.clear()


def _part(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None, f"the mail has no {kind} part"
    return part.get_content()


def text_of(message: EmailMessage) -> str:
    return _part(message, "plain")


def html_of(message: EmailMessage) -> str:
    return _part(message, "html")


def link_in(message: EmailMessage, path_start: str) -> str:
    """The one link of the mail's plain text whose path starts with `path_start`, as a path."""
    links = set(re.findall(r"https?://[^/\s]+(" + re.escape(path_start) + r"[^\s]*)", text_of(message)))
    assert len(links) == 1, (path_start, links, text_of(message))
    return links.pop()
