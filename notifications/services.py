"""Ask for, cancel, dispatch and send reminders. Domain apps call these; they know no domain app.

Delivery guarantees (docs/design.md, "Reminders"):

- A worker claims rows (pending → sending) with a lease before it sends, and marks the rows
  the server accepted as sent in one UPDATE for every ``SENT_FLUSH_EVERY`` of them (and at
  the end of the batch, however it ends) instead of one statement and one commit per message.
- A failed send moves the row's own due time by an exponential backoff (``BACKOFF_MINUTES``)
  and only after the last step is the row marked failed with its error.
- Rows left in ``sending`` past their lease (a worker died) go back to pending when the
  dispatcher next runs; nothing waits for the broker's redelivery.
- The unique key is the Message-ID, so the only possible duplicates — messages the server
  accepted whose rows were not yet marked when their worker died, at most ``SENT_FLUSH_EVERY``
  per worker killed — carry the same Message-ID as the first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.channels import channel_for
from notifications.channels import message_id as _message_id  # noqa: F401 (kept for callers)
from notifications.models import Reminder

logger = logging.getLogger(__name__)

# A failed send waits this long before the next try: 1 min, 5 min, 15 min, 1 h, 4 h, 12 h,
# 24 h — the last try comes about 42 hours after the first, so a day-long outage loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720, 1440)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1

# Accepted messages are marked sent this many at a time: a worker killed mid-batch (SIGKILL,
# the machine lost) leaves at most this many accepted messages unmarked, which go out again
# after the lease with the same Message-ID. One statement per message cost more than the
# sending itself (each is a commit that waits for the disk).
SENT_FLUSH_EVERY = 10


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)


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
    link: str = "",
) -> Reminder:
    """Write a reminder row once per unique key; asking again returns the existing row."""
    subject_type = (
        ContentType.objects.get_for_model(subject_object) if subject_object is not None else None
    )
    reminder, _created = Reminder.objects.get_or_create(
        unique_key=unique_key[:200],
        defaults={
            "kind": kind,
            "recipient": recipient,
            "subject_type": subject_type,
            "subject_id": subject_object.pk if subject_object is not None else None,
            "title": title[:250],
            "body": body,
            "due_at": due_at or timezone.now(),
            "channel": channel,
            "link": link[:300],
        },
    )
    return reminder


def reminders_request_many(*, requests: list[dict]) -> int:
    """Write many rows at once, each once per unique key; the number of new rows.

    Each request holds ``reminder_request``'s arguments. One query finds the keys already
    written and one inserts the rest (a row written meanwhile by another run is skipped).
    """
    keys = [r["unique_key"][:200] for r in requests]
    existing = set(
        Reminder.objects.filter(unique_key__in=keys).values_list("unique_key", flat=True)
    )
    types: dict[type, ContentType] = {}
    rows, seen = [], set()
    now = timezone.now()
    for request, key in zip(requests, keys, strict=True):
        if key in existing or key in seen:
            continue
        seen.add(key)
        subject = request.get("subject_object")
        if subject is not None and type(subject) not in types:
            types[type(subject)] = ContentType.objects.get_for_model(subject)
        rows.append(
            Reminder(
                kind=request["kind"],
                recipient=request["recipient"],
                subject_type=types[type(subject)] if subject is not None else None,
                subject_id=subject.pk if subject is not None else None,
                unique_key=key,
                title=request["title"][:250],
                body=request["body"],
                due_at=request.get("due_at") or now,
                channel=request.get("channel", Reminder.Channel.EMAIL),
                link=request.get("link", "")[:300],
            )
        )
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def reminders_cancel_keyed(*, kind: str, key_contains: str) -> int:
    """Cancel the waiting rows of one kind whose key holds a part (an enrollment's, say)."""
    return Reminder.objects.filter(
        status=Reminder.Status.PENDING, kind=kind, unique_key__contains=key_contains
    ).update(status=Reminder.Status.CANCELLED, dispatched_at=None)


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
    return reminders.update(status=Reminder.Status.CANCELLED, dispatched_at=None)


def reminders_resend(*, ids: Iterable[int]) -> int:
    """Failed or cancelled rows wait again, due now, with a fresh count of attempts."""
    return Reminder.objects.filter(
        pk__in=list(ids), status__in=[Reminder.Status.FAILED, Reminder.Status.CANCELLED]
    ).update(
        status=Reminder.Status.PENDING,
        due_at=timezone.now(),
        attempts=0,
        last_error="",
        lease_until=None,
        dispatched_at=None,
    )


def reminders_cancel(*, ids: Iterable[int]) -> int:
    """Waiting or failed rows are cancelled; a row being sent or sent is left alone."""
    return Reminder.objects.filter(
        pk__in=list(ids), status__in=[Reminder.Status.PENDING, Reminder.Status.FAILED]
    ).update(status=Reminder.Status.CANCELLED, lease_until=None, dispatched_at=None)


def reminders_due(*, now: datetime | None = None) -> list[int]:
    """Primary keys of the reminders waiting whose time has come (the first 500)."""
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )


# --- The dispatcher (beat) -------------------------------------------------------------------


def reminders_recover(*, now: datetime | None = None) -> int:
    """Rows left in ``sending`` past their lease (their worker died) wait again, due now."""
    now = now or timezone.now()
    recovered = Reminder.objects.filter(status=Reminder.Status.SENDING, lease_until__lt=now).update(
        status=Reminder.Status.PENDING, lease_until=None, dispatched_at=None
    )
    if recovered:
        logger.warning("%s reminders were taken back from workers past their lease", recovered)
    return recovered


def reminders_take_batch(*, now: datetime | None = None, size: int | None = None) -> list[int]:
    """Mark up to ``size`` due rows as handed to a worker and return them.

    A row already handed out is not handed out again until a lease has passed (its task may
    still be queued); two dispatchers at once take disjoint batches (``skip_locked``).
    """
    now = now or timezone.now()
    size = size or settings.REMINDER_BATCH_SIZE
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(status=Reminder.Status.PENDING, due_at__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - lease()))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(dispatched_at=now)
    return ids


def reminders_release(*, ids: list[int]) -> int:
    """Batches whose task could not be published are handed out again at the next run."""
    return Reminder.objects.filter(pk__in=ids, status=Reminder.Status.PENDING).update(
        dispatched_at=None
    )


# --- The worker ------------------------------------------------------------------------------


def reminders_claim(*, ids: Iterable[int], now: datetime | None = None) -> list[int]:
    """Claim the rows still waiting (or abandoned past their lease): pending → sending."""
    now = now or timezone.now()
    claimable = Q(status=Reminder.Status.PENDING, due_at__lte=now) | Q(
        status=Reminder.Status.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        claimed = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids))
            .filter(claimable)
            .values_list("pk", flat=True)
        )
        if claimed:
            Reminder.objects.filter(pk__in=claimed).update(
                status=Reminder.Status.SENDING,
                attempts=F("attempts") + 1,
                lease_until=now + lease(),
            )
    return claimed


def _mark_sent(ids: list[int]) -> None:
    if ids:
        Reminder.objects.filter(pk__in=ids, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.SENT, sent_at=timezone.now(), last_error="", lease_until=None
        )


def _mark_failed_try(reminder: Reminder, error: Exception | str) -> None:
    """Reschedule by the backoff, or mark failed after the last step."""
    now = timezone.now()
    text = str(error)[:2000] or error.__class__.__name__
    if reminder.attempts >= MAX_ATTEMPTS:
        changes = {"status": Reminder.Status.FAILED}
    else:
        wait = BACKOFF_MINUTES[max(reminder.attempts, 1) - 1]
        changes = {"status": Reminder.Status.PENDING, "due_at": now + dt.timedelta(minutes=wait)}
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        last_error=text, lease_until=None, dispatched_at=None, **changes
    )
    logger.warning("Reminder %s not sent (try %s): %s", reminder.pk, reminder.attempts, text)


def _skip_opted_out(reminder: Reminder) -> bool:
    from notifications.preferences import opted_out

    if not opted_out(user=reminder.recipient, kind=reminder.kind):
        return False
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.CANCELLED,
        last_error="The recipient opted out of this kind of reminder.",
        lease_until=None,
    )
    return True


def reminders_send_batch(*, ids: Iterable[int]) -> int:
    """Claim the rows and send them over one connection per channel; the number sent."""
    claimed = reminders_claim(ids=ids)
    if not claimed:
        return 0
    rows = list(
        Reminder.objects.filter(pk__in=claimed, status=Reminder.Status.SENDING)
        .select_related("recipient", "recipient__reminder_preference")
        .order_by("due_at", "pk")
    )
    sent = 0
    for channel_name in sorted({row.channel for row in rows}):
        sent += _send_over_channel(channel_name, [r for r in rows if r.channel == channel_name])
    return sent


def _send_over_channel(name: str, rows: list[Reminder]) -> int:
    channel = channel_for(name)
    try:
        channel.open()
    except Exception as exc:  # the server is unreachable: every row waits for its next try
        for row in rows:
            _mark_failed_try(row, exc)
        return 0
    sent = 0
    accepted: list[int] = []  # accepted by the server, not yet marked sent
    try:
        for index, row in enumerate(rows):
            if _skip_opted_out(row):
                continue
            try:
                channel.send(row)
            except Exception as exc:
                _mark_failed_try(row, exc)
                try:
                    channel.reset()
                except Exception as reset_exc:
                    for rest in rows[index + 1 :]:
                        _mark_failed_try(rest, reset_exc)
                    return sent
                continue
            accepted.append(row.pk)
            sent += 1
            if len(accepted) >= SENT_FLUSH_EVERY:
                _mark_sent(accepted)
                accepted = []
    finally:
        # however the loop ends (a return, a database error, the soft time limit), what the
        # server accepted is recorded
        _mark_sent(accepted)
        channel.close()
    return sent


def reminder_send(*, reminder_id: int) -> bool:
    """Claim one reminder and send it; True when this call sent it."""
    return reminders_send_batch(ids=[reminder_id]) == 1
