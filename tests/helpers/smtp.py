"""A real SMTP server on 127.0.0.1 for tests: it keeps every message it is
given, and first answers with the refusals it is told to."""

import email
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

from tests.helpers.servers import free_port


@dataclass
class Inbox:
    refusals: list[str]  # e.g. "451 4.3.0 Try again later"
    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # as they came over the wire
    lock: threading.Lock = field(default_factory=threading.Lock)
    host: str = "127.0.0.1"
    port: int = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
            self.raw.append(envelope.original_content)
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=default)
            )
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server(*refusals: str):
    # aiosmtpd logs every command it reads at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox(refusals=list(refusals), port=free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
