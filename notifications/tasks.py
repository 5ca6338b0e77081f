"""Beat hands due reminders to workers in batches; a worker sends a batch over one connection.

Nothing is scheduled ahead with ``eta`` or ``countdown``: the due time lives in the row, and
the dispatcher, run by beat every minute, is the only thing that looks at it.
"""

import logging

from celery import shared_task

from notifications import services

logger = logging.getLogger(__name__)


@shared_task
def dispatch_due_reminders() -> int:
    """Beat entry: take back abandoned rows, then hand every due row out in batches."""
    services.reminders_recover()
    handed = 0
    while batch := services.reminders_take_batch():
        try:
            send_reminder_batch.delay(batch)
        except Exception:  # broker unreachable: the rows wait in the database
            services.reminders_release(ids=batch)
            logger.exception("The broker refused a batch of %s reminders", len(batch))
            break
        handed += len(batch)
    return handed


@shared_task
def send_reminder_batch(ids: list[int]) -> int:
    return services.reminders_send_batch(ids=ids)


@shared_task
def send_reminder(reminder_id: int) -> bool:
    """One row (kept for messages already queued by an earlier version)."""
    return services.reminder_send(reminder_id=reminder_id)
