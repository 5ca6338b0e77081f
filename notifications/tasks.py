from celery import shared_task

from notifications import services


@shared_task
def dispatch_due_reminders() -> int:
    """Beat entry: hand every due reminder to a worker."""
    due = services.reminders_due()
    for reminder_id in due:
        send_reminder.delay(reminder_id)
    return len(due)


@shared_task
def send_reminder(reminder_id: int) -> bool:
    return services.reminder_send(reminder_id=reminder_id)
