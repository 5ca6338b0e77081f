"""Which reminders a user chose not to receive (only the optional kinds can be muted)."""

from __future__ import annotations

from django.db import transaction

from notifications import kinds
from notifications.models import ReminderPreference


def muted_kinds(*, user) -> list[str]:
    preference = ReminderPreference.objects.filter(user=user).first()
    return list(preference.muted_kinds) if preference else []


def opted_out(*, user, kind: str) -> bool:
    if kind in kinds.ESSENTIAL or kind not in kinds.LABELS:
        return False
    cached = getattr(user, "_state", None) and user._state.fields_cache
    if cached is not None and "reminder_preference" in cached:
        preference = cached["reminder_preference"]
        return bool(preference) and kind in preference.muted_kinds
    return kind in muted_kinds(user=user)


@transaction.atomic
def preference_set(*, user, muted: list[str]) -> ReminderPreference:
    """Keep only optional kinds: an essential reminder cannot be turned off."""
    chosen = [kind for kind in kinds.OPTIONAL if kind in set(muted)]
    preference, _created = ReminderPreference.objects.select_for_update().get_or_create(user=user)
    preference.muted_kinds = chosen
    preference.save(update_fields=["muted_kinds", "updated_at"])
    return preference
