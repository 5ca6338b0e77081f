"""Personal data (UU PDP 27/2022): a person downloads what is held about them; the office
anonymises an enterprise's owner on request, history included, aggregates left whole.

Each app knows what it holds about people: it registers a `PersonalDataPart` (in its
AppConfig.ready) that exports a user's data and scrubs an anonymised owner's. Every act is
recorded as a `PersonalDataAct`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import (
    Enterprise,
    EnterpriseMembership,
    FunderMembership,
    OfficeMembership,
    PersonalDataAct,
    User,
)

ANONYMOUS_NAME = "Anonim"
ANONYMOUS_DOMAIN = "anonim.invalid"


@dataclass(frozen=True)
class PersonalDataPart:
    """What one app holds about people."""

    key: str
    export: Callable[[User], Any]
    # (enterprise, owner user ids) -> rows scrubbed; runs inside the anonymisation's transaction
    scrub: Callable[[Enterprise, frozenset[int]], int] | None = None


_PARTS: dict[str, PersonalDataPart] = {}


def register(part: PersonalDataPart) -> None:
    _PARTS[part.key] = part


def parts() -> list[PersonalDataPart]:
    return list(_PARTS.values())


# --- Download ---


def _stamp(value):
    return value.isoformat() if value else None


def _accounts_export(user: User) -> dict:
    memberships = EnterpriseMembership.objects.filter(user=user).select_related("enterprise")
    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
            "date_joined": _stamp(user.date_joined),
            "last_login": _stamp(user.last_login),
        },
        "enterprises": [
            {
                "enterprise": m.enterprise.name,
                "role": m.get_role_display(),
                **(
                    {
                        "owner_name": m.enterprise.owner_name,
                        "owner_gender": m.enterprise.get_owner_gender_display(),
                        "owner_birth_year": m.enterprise.owner_birth_year,
                        "address": m.enterprise.address,
                        "data_sharing_consent_at": _stamp(m.enterprise.data_sharing_consent_at)
                        if m.enterprise.data_sharing_consent_by_id == user.pk
                        else None,
                    }
                    if m.role == EnterpriseMembership.Role.OWNER
                    else {}
                ),
            }
            for m in memberships
        ],
        "trade_offices": list(
            OfficeMembership.objects.filter(user=user).values_list("office__name", flat=True)
        ),
        "funders": list(
            FunderMembership.objects.filter(user=user).values_list("funder__name", flat=True)
        ),
        "sign_ins": [
            {"at": _stamp(row["attempt_time"]), "address": row["ip_address"]}
            for row in AccessLog.objects.filter(username=user.email)
            .order_by("-attempt_time")
            .values("attempt_time", "ip_address")[:200]
        ],
    }


register(PersonalDataPart(key="accounts", export=_accounts_export))


def personal_data_export(*, user: User, actor: User) -> dict:
    """Everything the system holds about ``user``, by app; the download is recorded."""
    if actor.pk != user.pk and not roles.is_platform_admin(actor):
        raise ValidationError(_("Only the person themselves may download their data."))
    data = {
        "generated_at": timezone.now().isoformat(),
        "person": user.email,
        **{part.key: part.export(user) for part in parts()},
    }
    PersonalDataAct.objects.create(kind=PersonalDataAct.Kind.EXPORT, user=user, actor=actor)
    return data


# --- Anonymisation ---


def actor_may_anonymise(actor: User | None, enterprise: Enterprise) -> bool:
    """The office that registered the enterprise (it keeps its record) and platform admins."""
    if actor is None:
        return False
    return roles.is_platform_admin(actor) or enterprise.registered_by_id in roles.office_ids(actor)


@dataclass
class AnonymisationPlan:
    """What anonymising an enterprise's owner will change, shown before it is done."""

    enterprise: Enterprise
    owners: list[User] = field(default_factory=list)
    already_anonymous: bool = False


def owner_anonymisation_plan(*, enterprise: Enterprise) -> AnonymisationPlan:
    owners = [
        m.user
        for m in EnterpriseMembership.objects.filter(
            enterprise=enterprise, role=EnterpriseMembership.Role.OWNER
        ).select_related("user")
    ]
    return AnonymisationPlan(
        enterprise=enterprise,
        owners=owners,
        already_anonymous=enterprise.owner_name == ANONYMOUS_NAME and not owners,
    )


def _scrub_enterprise(enterprise: Enterprise, actor: User) -> int:
    enterprise.owner_name = ANONYMOUS_NAME
    enterprise.owner_birth_year = None
    enterprise.address = ""
    enterprise._history_user = actor
    enterprise._change_reason = "anonymised"
    enterprise.save(update_fields=["owner_name", "owner_birth_year", "address"])
    # The history keeps every earlier version: scrub the same fields there too.
    return 1 + enterprise.history.update(
        owner_name=ANONYMOUS_NAME, owner_birth_year=None, address=""
    )


def _scrub_user(user: User) -> None:
    old_email = user.email
    user.email = f"anonim-{uuid.uuid4().hex[:16]}@{ANONYMOUS_DOMAIN}"
    user.full_name = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "phone", "is_active", "password"])
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=old_email).delete()
    EnterpriseMembership.objects.filter(user=user).delete()


@transaction.atomic
def owner_anonymise(*, enterprise: Enterprise, actor: User, reason: str) -> PersonalDataAct:
    """Remove what identifies the owner of ``enterprise`` — name, birth year, address, the
    owners' accounts (closed, e-mail replaced), and what other apps hold about them — in the
    current rows and their history. Gender, women-owned/led, employees, revenue and every
    count stay, so aggregates do not move."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if not actor_may_anonymise(actor, enterprise):
        raise ValidationError(
            _("Only the office that registered this enterprise may anonymise its owner.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say who asked for it and when.")})
    plan = owner_anonymisation_plan(enterprise=enterprise)
    if plan.already_anonymous:
        raise ValidationError(_("This enterprise's owner is already anonymised."))
    owner_ids = frozenset(user.pk for user in plan.owners)
    scrubbed = _scrub_enterprise(enterprise, actor)
    for part in parts():
        if part.scrub is not None:
            scrubbed += part.scrub(enterprise, owner_ids)
    for user in plan.owners:
        _scrub_user(user)
    return PersonalDataAct.objects.create(
        kind=PersonalDataAct.Kind.ANONYMISE,
        enterprise=enterprise,
        actor=actor,
        note=_("%(reason)s (%(accounts)s accounts closed, %(rows)s rows scrubbed)")
        % {"reason": reason, "accounts": len(owner_ids), "rows": scrubbed},
    )
