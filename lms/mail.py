"""Sending e-mail through the SMTP server in the settings (SMTP_*; see lms.config).

A foundation: it knows messages, not features. With no SMTP_HOST set nothing is sent.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send(messages: Sequence[Mail]) -> int:
    """Send the messages over one SMTP connection when SMTP is configured; return how many."""
    config = current_app.config
    host = config.get("SMTP_HOST")
    if not host or not messages:
        return 0
    with smtplib.SMTP(host, int(config["SMTP_PORT"]), timeout=30) as smtp:
        if config.get("SMTP_USER"):
            smtp.starttls()
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        for mail in messages:
            message = EmailMessage()
            message["From"] = config["SMTP_FROM"]
            message["To"] = mail.to
            message["Subject"] = mail.subject
            message.set_content(mail.body)
            smtp.send_message(message)
    return len(messages)
