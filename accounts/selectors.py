"""Scoped reads of accounts' data.

An enterprise is visible to the staff of the office that registered it and of the offices
whose programmes it takes part in: the pairs of OfficeReach (accounts.reach), which the apps
above (cohorts) keep for their rows, since accounts imports nothing from them.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import roles
from accounts.models import Enterprise, OfficeReach, TradeOffice, User


def enterprises_editable_by(user: User) -> QuerySet[Enterprise]:
    """Enterprises whose record the user may change."""
    if roles.is_platform_admin(user):
        return Enterprise.objects.all()
    offices = roles.office_ids(user)
    if offices:
        return Enterprise.objects.filter(registered_by_id__in=offices)
    return Enterprise.objects.none()


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    """Enterprises the user may read."""
    if roles.reads_everything(user):
        return Enterprise.objects.all()
    condition = Q(pk__in=[])
    offices = roles.office_ids(user)
    if offices:
        # registered by the offices or in their programmes: one probe of OfficeReach per row
        reached = OfficeReach.objects.filter(enterprise_id=OuterRef("pk"), office_id__in=offices)
        condition |= Q(Exists(reached))
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(pk__in=own)
    return Enterprise.objects.filter(condition)


def offices_visible_to(user: User) -> QuerySet[TradeOffice]:
    if roles.reads_everything(user):
        return TradeOffice.objects.all()
    return TradeOffice.objects.filter(pk__in=roles.office_ids(user))


def office_staff_visible_to(user: User) -> QuerySet[User]:
    """Staff accounts of the offices the user sees (every office's for those who read all)."""
    if roles.reads_everything(user):
        return User.objects.filter(office_memberships__isnull=False).distinct()
    return User.objects.filter(office_memberships__office_id__in=roles.office_ids(user)).distinct()


def participants_editable_by(user: User) -> QuerySet[User]:
    """Accounts the user may change: every one for platform admins; for office staff the
    members of the enterprises their office registered, never an admin account."""
    if roles.is_platform_admin(user):
        return User.objects.all()
    enterprises = enterprises_editable_by(user)
    return User.objects.filter(
        pk__in=User.objects.filter(
            enterprise_memberships__enterprise__in=enterprises.values("pk"),
            is_staff=False,
            is_superuser=False,
            is_national_viewer=False,
        ).values("pk")
    )
