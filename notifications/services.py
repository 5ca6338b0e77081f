"""Ask for, cancel and send reminders. Domain apps call these; they know no domain app."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import Reminder

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def reminder_request(
    *,
    kind: str,
    recipient,
    subject_object: models.Model | None,
    unique_key: str,
    title: str,
    body: str,
    due_at: datetime | None = None,
    channel: str = Reminder.Channel.EMAIL,
) -> Reminder:
    """Write a reminder row once per unique key; asking again returns the existing row."""
    subject_type = (
        ContentType.objects.get_for_model(subject_object) if subject_object is not None else None
    )
    reminder, _created = Reminder.objects.get_or_create(
        unique_key=unique_key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "subject_type": subject_type,
            "subject_id": subject_object.pk if subject_object is not None else None,
            "title": title[:250],
            "body": body,
            "due_at": due_at or timezone.now(),
            "channel": channel,
        },
    )
    return reminder


def reminder_cancel(
    *, subject_object: models.Model, kind: str | None = None, unique_key: str | None = None
) -> int:
    """Cancel the pending reminders about an object (of one kind, or with one key)."""
    reminders = Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject_object),
        subject_id=subject_object.pk,
        status=Reminder.Status.PENDING,
    )
    if kind:
        reminders = reminders.filter(kind=kind)
    if unique_key:
        reminders = reminders.filter(unique_key=unique_key)
    return reminders.update(status=Reminder.Status.CANCELLED)


def reminders_due(*, now: datetime | None = None) -> list[int]:
    """Primary keys of the reminders waiting whose time has come."""
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )


def _message_id(reminder: Reminder) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "naikkelas"
    return f"<{reminder.unique_key.replace(' ', '-')}@{domain}>"


def reminder_send(*, reminder_id: int) -> bool:
    """Claim one reminder and send it; True when this call sent it.

    The claim is a guarded update, so two workers never send the same row.
    """
    claimed = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.SENDING, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False
    reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
    message = EmailMessage(
        subject=reminder.title,
        body=reminder.body,
        to=[reminder.recipient.email],
        headers={"Message-ID": _message_id(reminder)},
    )
    try:
        message.send()
    except Exception as exc:  # the channel failed: keep the row for another try
        status = (
            Reminder.Status.FAILED if reminder.attempts >= MAX_ATTEMPTS else Reminder.Status.PENDING
        )
        Reminder.objects.filter(pk=reminder_id).update(status=status, last_error=str(exc)[:2000])
        logger.warning("Reminder %s not sent: %s", reminder_id, exc)
        return False
    with transaction.atomic():
        Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.SENT, sent_at=timezone.now(), last_error=""
        )
    return True
