"""Scoped reads of programmes and everything inside them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts import roles
from cohorts.models import Cohort, Enrollment, ExportRecord, Program, Session, Stage


def enterprises_in_programmes_of(office_ids: frozenset[int]) -> Q:
    """Enterprises that applied to or joined a programme of these offices."""
    return Q(enrollments__program__office_id__in=office_ids)


def programs_visible_to(user) -> QuerySet[Program]:
    """Staff: their offices' programmes; analysts: the programmes their funders fund."""
    if roles.reads_everything(user):
        return Program.objects.all()
    condition = Q(pk__in=[])
    offices = roles.office_ids(user)
    if offices:
        condition |= Q(office_id__in=offices)
    funders = roles.funder_ids(user)
    if funders:
        condition |= Q(pk__in=Program.objects.filter(fundings__funder_id__in=funders).values("pk"))
    return Program.objects.filter(condition)


def programs_managed_by(user) -> QuerySet[Program]:
    """Programmes the user may change: their offices' (all for platform admins)."""
    if roles.is_platform_admin(user):
        return Program.objects.all()
    return Program.objects.filter(office_id__in=roles.office_ids(user))


def stages_visible_to(user) -> QuerySet[Stage]:
    return Stage.objects.filter(program__in=programs_visible_to(user).values("pk"))


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    return Cohort.objects.filter(stage__program__in=programs_visible_to(user).values("pk"))


def sessions_visible_to(user) -> QuerySet[Session]:
    return Session.objects.filter(cohort__stage__program__in=programs_visible_to(user).values("pk"))


def enrollments_visible_to(user) -> QuerySet[Enrollment]:
    """Staff and analysts: by programme; participants: their own enterprises' enrollments."""
    if roles.reads_everything(user):
        return Enrollment.objects.all()
    condition = Q(program__in=programs_visible_to(user).values("pk"))
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(enterprise_id__in=own)
    return Enrollment.objects.filter(condition)


def exports_visible_to(user) -> QuerySet[ExportRecord]:
    if roles.reads_everything(user):
        return ExportRecord.objects.all()
    condition = Q(program__in=programs_visible_to(user).values("pk"))
    offices = roles.office_ids(user)
    if offices:
        condition |= Q(enterprise__registered_by_id__in=offices)
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(enterprise_id__in=own)
    return ExportRecord.objects.filter(condition)
