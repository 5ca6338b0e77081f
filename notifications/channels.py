"""How a reminder leaves: one small interface per channel; e-mail is the only one today.

A channel is opened once per batch, sends rows one by one (raising when the message was not
accepted) and is closed at the end. A WhatsApp or SMS channel implements the same four methods
and is named in ``CHANNELS``.
"""

from __future__ import annotations

import contextlib
import re
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.backends.django import Template
from django.template.loader import get_template
from django.utils import translation

from notifications.models import Reminder

TEXT_TEMPLATE = "notifications/email/reminder.txt"
HTML_TEMPLATE = "notifications/email/reminder.html"


class Channel(Protocol):
    def open(self) -> None: ...

    def send(self, reminder: Reminder) -> None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


def message_id(reminder: Reminder) -> str:
    """The row's unique key as a Message-ID: a resend carries the same one."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "naikkelas"
    # RFC 5322 dot-atom: the key's colons and spaces become dots
    left = re.sub(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+", ".", reminder.unique_key).strip(".")
    return f"<{left or 'reminder'}@{domain}>"


def absolute_link(reminder: Reminder) -> str:
    if not reminder.link or reminder.link.startswith(("http://", "https://")):
        return reminder.link
    return f"{settings.SITE_URL}{reminder.link}"


def email_templates() -> tuple[Template, Template]:
    """The text and HTML templates, looked up once for a whole batch."""
    return get_template(TEXT_TEMPLATE), get_template(HTML_TEMPLATE)


def render_email(
    reminder: Reminder, connection=None, templates: tuple[Template, Template] | None = None
) -> EmailMultiAlternatives:
    """Text and HTML in the recipient's language; the text was written by the rule."""
    language = getattr(reminder.recipient, "preferred_language", "") or settings.LANGUAGE_CODE
    context = {
        "reminder": reminder,
        "recipient": reminder.recipient,
        "link": absolute_link(reminder),
        "language": language,
    }
    text_template, html_template = templates or email_templates()
    with translation.override(language):
        text = text_template.render(context)
        html = html_template.render(context)
    message = EmailMultiAlternatives(
        subject=reminder.title,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.recipient.email],
        headers={"Message-ID": message_id(reminder)},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


class EmailChannel:
    """One SMTP (or file) connection for the whole batch."""

    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)
        self.templates = email_templates()

    def open(self) -> None:
        self.connection.open()

    def send(self, reminder: Reminder) -> None:
        if not reminder.recipient.email:
            raise ValueError("the recipient has no e-mail address")
        message = render_email(reminder, self.connection, self.templates)
        if self.connection.send_messages([message]) != 1:
            raise RuntimeError("the mail server did not accept the message")

    def reset(self) -> None:
        """After a failure the connection may be broken: start a fresh one."""
        self.close()
        self.connection = get_connection(fail_silently=False)
        self.open()

    def close(self) -> None:
        # closing a broken connection must not hide the real error
        with contextlib.suppress(Exception):
            self.connection.close()


CHANNELS: dict[str, type] = {Reminder.Channel.EMAIL: EmailChannel}


def channel_for(name: str) -> Channel:
    return CHANNELS[name]()
