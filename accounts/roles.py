"""Who a user is to the system. Every app's selectors build their scoping on these helpers.

The answers are cached on the user object for the request, so a page that asks many times
costs one query per kind of membership.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.models import EnterpriseMembership, FunderMembership, OfficeMembership, User


def _cached(user, attr: str, compute) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    value = getattr(user, attr, None)
    if value is None:
        value = frozenset(compute())
        setattr(user, attr, value)
    return value


def office_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The trade offices on whose staff the user is (manager or officer)."""
    return _cached(
        user,
        "_nk_office_ids",
        lambda: OfficeMembership.objects.filter(user=user).values_list("office_id", flat=True),
    )


def managed_office_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The trade offices the user manages."""
    return _cached(
        user,
        "_nk_managed_office_ids",
        lambda: OfficeMembership.objects.filter(
            user=user, role=OfficeMembership.Role.MANAGER
        ).values_list("office_id", flat=True),
    )


def funder_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The funders whose results the user reads as an analyst."""
    return _cached(
        user,
        "_nk_funder_ids",
        lambda: FunderMembership.objects.filter(user=user).values_list("funder_id", flat=True),
    )


def enterprise_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The enterprises the user acts for (owner or staff)."""
    return _cached(
        user,
        "_nk_enterprise_ids",
        lambda: EnterpriseMembership.objects.filter(user=user).values_list(
            "enterprise_id", flat=True
        ),
    )


def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def is_national_viewer(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_national_viewer", False))


def is_office_staff(user) -> bool:
    return bool(getattr(user, "is_active", False) and office_ids(user))


def is_funder_analyst(user) -> bool:
    return bool(getattr(user, "is_active", False) and funder_ids(user))


def is_participant(user) -> bool:
    return bool(getattr(user, "is_active", False) and enterprise_ids(user))


def reads_everything(user) -> bool:
    """Superusers and national viewers see every programme."""
    return is_platform_admin(user) or is_national_viewer(user)


def may_use_admin(user) -> bool:
    """The admin is for platform admins, national viewers and office staff."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and (is_platform_admin(user) or is_national_viewer(user) or is_office_staff(user))
    )
