from django.db.models import QuerySet

from notifications.models import Reminder


def reminders_for(*, user) -> QuerySet[Reminder]:
    """A user's own reminders, newest first."""
    return Reminder.objects.filter(recipient=user).order_by("-due_at")
