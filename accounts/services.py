"""Writes on users and enterprises. Each locks what it changes and saves, so history is kept."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import roles
from accounts.formatting import thousands
from accounts.models import Enterprise, EnterpriseMembership, TradeOffice, User

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
        "revenue": thousands(enterprise.annual_revenue)
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


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the value is corrected.")})
    return reason


def _save_correction(enterprise: Enterprise, actor: User, reason: str, fields: list[str]) -> None:
    enterprise.full_clean()
    enterprise._history_user = actor
    enterprise._change_reason = reason
    enterprise.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def enterprise_correct_export_status(
    *, enterprise: Enterprise, actor: User, export_status: str, reason: str
) -> Enterprise:
    """Correct an enterprise's export status by hand; who and why are kept in its history.

    Verified exports raise the status themselves (cohorts.services.exports); this is for a
    status recorded wrongly, for example at registration."""
    reason = _required_reason(reason)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if export_status == enterprise.export_status:
        raise ValidationError({"export_status": _("The export status is already this one.")})
    enterprise.export_status = export_status
    _save_correction(enterprise, actor, reason, ["export_status"])
    return enterprise


@transaction.atomic
def enterprise_correct_size_class(
    *, enterprise: Enterprise, actor: User, size_class: str, reason: str
) -> Enterprise:
    """Set a size class other than the revenue suggests (PP 7/2021 also counts assets), with
    the reason as its basis; who and why are kept in its history."""
    reason = _required_reason(reason)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if size_class == enterprise.size_class:
        raise ValidationError({"size_class": _("The size class is already this one.")})
    enterprise.size_class = size_class
    enterprise.size_class_basis = _("Corrected: %(reason)s") % {"reason": reason}
    enterprise.size_class_basis = enterprise.size_class_basis[:200]
    _save_correction(enterprise, actor, reason, ["size_class", "size_class_basis"])
    return enterprise


@transaction.atomic
def enterprise_hand_over(*, enterprise: Enterprise, office: TradeOffice, actor: User) -> Enterprise:
    """Hand an enterprise over to another office (a platform admin's decision)."""
    if not roles.is_platform_admin(actor):
        raise ValidationError(_("Only a platform admin can hand an enterprise over."))
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    enterprise.registered_by = office
    enterprise._history_user = actor
    enterprise.save(update_fields=["registered_by", "updated_at"])
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
