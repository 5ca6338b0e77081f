"""Scoped reads of programmes and everything inside them."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts import roles
from cohorts.models import (
    LEVEL_ORDER,
    Cohort,
    Enrollment,
    ExportRecord,
    Level,
    Program,
    Session,
    Stage,
)


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


def eligible_level(enterprise) -> Level:
    """The class an enterprise may join ("naik kelas"): one above the highest it completed.

    Pemula when it completed none; never above mahir.
    """
    completed = set(
        Enrollment.objects.filter(
            enterprise=enterprise, status=Enrollment.Status.COMPLETED, cohort__isnull=False
        ).values_list("cohort__level", flat=True)
    )
    highest = max((LEVEL_ORDER.index(level) for level in completed), default=-1)
    return LEVEL_ORDER[min(highest + 1, len(LEVEL_ORDER) - 1)]


def cohort_seats_taken(cohort) -> int:
    """Seats held in a class: enrolled plus offered (an offer holds its seat)."""
    return Enrollment.objects.filter(cohort=cohort, status__in=Enrollment.SEAT_STATUSES).count()


def cohort_waiting_list(cohort) -> QuerySet[Enrollment]:
    """The waiting list of a class, first in line first."""
    return (
        Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.WAITLISTED)
        .select_related("enterprise")
        .order_by("waitlist_position", "pk")
    )


def cohort_sessions_held(cohort, *, now=None) -> int:
    """Sessions of a class that were not cancelled and have started before now."""
    return Session.objects.filter(
        cohort=cohort, cancelled_at__isnull=True, starts_at__lt=now or timezone.now()
    ).count()


def cohorts_with_seat_counts(queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate classes with seats taken, enrolled, offered and waiting, in one query."""
    status = Enrollment.Status
    return queryset.annotate(
        seats_taken=Count(
            "enrollments", filter=Q(enrollments__status__in=Enrollment.SEAT_STATUSES)
        ),
        enrolled_count=Count("enrollments", filter=Q(enrollments__status=status.ENROLLED)),
        offered_count=Count("enrollments", filter=Q(enrollments__status=status.OFFERED)),
        waiting_count=Count("enrollments", filter=Q(enrollments__status=status.WAITLISTED)),
    )
