"""What the notifications app holds about people: the reminders sent to them."""

from __future__ import annotations

from accounts.models import Enterprise, User
from accounts.privacy import PersonalDataPart
from notifications.models import Reminder


def export(user: User) -> dict:
    return {
        "reminders": [
            {
                "kind": row["kind"],
                "title": row["title"],
                "message": row["body"],
                "due_at": row["due_at"].isoformat(),
                "status": row["status"],
                "sent_at": row["sent_at"].isoformat() if row["sent_at"] else None,
            }
            for row in Reminder.objects.filter(recipient=user).values(
                "kind", "title", "body", "due_at", "status", "sent_at"
            )
        ]
    }


def scrub(enterprise: Enterprise, owner_ids: frozenset[int]) -> int:
    """Reminders to the owners: the waiting ones are cancelled, the text of all is removed."""
    reminders = Reminder.objects.filter(recipient_id__in=owner_ids)
    reminders.filter(status=Reminder.Status.PENDING).update(status=Reminder.Status.CANCELLED)
    return reminders.update(title="—", body="—")


PART = PersonalDataPart(key="notifications", export=export, scrub=scrub)
