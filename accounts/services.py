"""Writes on users and enterprises. Each locks what it changes and saves, so history is kept."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Enterprise, EnterpriseMembership, User

BULK_BATCH_SIZE = 1000

ENTERPRISE_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "nib",
        "kbli_version",
        "owner_name",
        "owner_gender",
        "owner_birth_year",
        "women_owned",
        "women_led",
        "province",
        "regency",
        "address",
        "sector",
        "annual_revenue",
        "size_class",
        "size_class_basis",
        "employees_women",
        "employees_men",
        "export_status",
    }
)


def _suggest_size_class(enterprise: Enterprise) -> None:
    enterprise.size_class = Enterprise.size_class_for_revenue(enterprise.annual_revenue)
    enterprise.size_class_basis = _("Annual revenue Rp%(revenue)s (PP 7/2021, art. 35)") % {
        "revenue": f"{enterprise.annual_revenue:,}".replace(",", ".")
    }


@transaction.atomic
def enterprise_create(*, actor: User | None, **fields) -> Enterprise:
    """Register an enterprise; its size class is suggested from its revenue unless given."""
    enterprise = Enterprise(**fields)
    if "size_class" not in fields:
        _suggest_size_class(enterprise)
    enterprise.full_clean()
    enterprise._history_user = actor
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, actor: User | None, **changes) -> Enterprise:
    """Change an enterprise's record under a row lock; the change is kept in its history."""
    unknown = set(changes) - ENTERPRISE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    for name, value in changes.items():
        setattr(enterprise, name, value)
    if "annual_revenue" in changes and "size_class" not in changes:
        _suggest_size_class(enterprise)
    enterprise.full_clean()
    enterprise._history_user = actor
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_record_consent(*, enterprise: Enterprise, actor: User) -> Enterprise:
    """Record that a member of the enterprise agreed to share its data with funders."""
    if not EnterpriseMembership.objects.filter(enterprise=enterprise, user=actor).exists():
        raise ValidationError(_("Only a member of the enterprise can give this consent."))
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    enterprise.data_sharing_consent_at = timezone.now()
    enterprise.data_sharing_consent_by = actor
    enterprise._history_user = actor
    enterprise.save(update_fields=["data_sharing_consent_at", "data_sharing_consent_by"])
    return enterprise


def enterprise_bulk_create(
    *,
    enterprises: Iterable[Enterprise],
    actor: User | None = None,
    batch_size: int = BULK_BATCH_SIZE,
) -> list[Enterprise]:
    """Insert many enterprises in batches, with one history row each."""
    rows = list(enterprises)
    return bulk_create_with_history(rows, Enterprise, batch_size=batch_size, default_user=actor)


def enterprise_bulk_update(
    *,
    enterprises: Iterable[Enterprise],
    fields: list[str],
    actor: User | None = None,
    batch_size: int = BULK_BATCH_SIZE,
) -> int:
    """Update many enterprises in batches, with one history row each."""
    unknown = set(fields) - ENTERPRISE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    return bulk_update_with_history(
        list(enterprises), Enterprise, fields, batch_size=batch_size, default_user=actor
    )
