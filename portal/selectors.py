"""Scoped reads for the participants' portal: everything is read through the enterprise the
user acts for, so another enterprise's rows are never reachable (they answer 404)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import roles
from accounts.models import Enterprise, EnterpriseMembership
from certifications.models import Case, CaseDocument, CaseEvent
from certifications.selectors import _required_document_missing
from cohorts.models import Attendance, Enrollment, Session
from notifications.selectors import reminders_for

SESSION_KEY = "portal_enterprise_id"
ACTIVE_CLASS_STATUSES = (
    Enrollment.Status.ENROLLED,
    Enrollment.Status.COMPLETED,
    Enrollment.Status.NOT_COMPLETED,
)


def enterprises_of(user) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(pk__in=roles.enterprise_ids(user)).order_by("name")


def enterprises_list(user, *, current: Enterprise) -> list[Enterprise]:
    """The user's enterprises; no query when the current one is the only one."""
    if roles.enterprise_ids(user) == {current.pk}:
        return [current]
    return list(enterprises_of(user))


def current_enterprise(request) -> Enterprise | None:
    """The enterprise the user acts for now: the one chosen in this session, else the first."""
    ids = roles.enterprise_ids(request.user)
    if not ids:
        return None
    chosen = request.session.get(SESSION_KEY)
    pk = chosen if chosen in ids else min(ids)
    return Enterprise.objects.get(pk=pk)


def is_owner(user, enterprise: Enterprise) -> bool:
    return EnterpriseMembership.objects.filter(
        user=user, enterprise=enterprise, role=EnterpriseMembership.Role.OWNER
    ).exists()


def offers_of(enterprise: Enterprise) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(enterprise=enterprise, status=Enrollment.Status.OFFERED)
        .select_related("cohort", "program")
        .order_by("offer_expires_at")
    )


def classes_of(enterprise: Enterprise) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(
            enterprise=enterprise, status__in=ACTIVE_CLASS_STATUSES, cohort__isnull=False
        )
        .select_related("cohort", "program")
        .order_by("-enrolled_at", "-pk")
    )


def offers_and_classes_of(enterprise: Enterprise) -> tuple[list[Enrollment], list[Enrollment]]:
    """offers_of() and classes_of() as two lists, read in one query."""
    rows = list(
        Enrollment.objects.filter(
            Q(status=Enrollment.Status.OFFERED)
            | Q(status__in=ACTIVE_CLASS_STATUSES, cohort__isnull=False),
            enterprise=enterprise,
        )
        .select_related("cohort", "program")
        # sorted below: the model's ordering would join stage and class only to be undone
        .order_by()
    )
    offers = [e for e in rows if e.status == Enrollment.Status.OFFERED]
    offers.sort(key=lambda e: (e.offer_expires_at is None, e.offer_expires_at or 0, e.pk))
    classes = [e for e in rows if e.status != Enrollment.Status.OFFERED]
    # newest first, as order_by("-enrolled_at", "-pk") on PostgreSQL (rows without a date first)
    classes.sort(key=lambda e: (e.enrolled_at is None, e.enrolled_at or 0, e.pk), reverse=True)
    return offers, classes


def next_sessions(
    classes: list[Enrollment], *, now: dt.datetime | None = None, limit: int = 5
) -> list[Session]:
    """The next sessions of the classes the enterprise is enrolled in, from its classes as
    offers_and_classes_of() read them (no join back to the enrollments, no DISTINCT, and no
    query when it is enrolled in none)."""
    cohorts = {e.cohort_id for e in classes if e.status == Enrollment.Status.ENROLLED}
    if not cohorts:
        return []
    now = now or timezone.now()
    return list(
        Session.objects.filter(cohort_id__in=cohorts, ends_at__gte=now, cancelled_at__isnull=True)
        .select_related("cohort")
        .order_by("starts_at", "pk")[:limit]
    )


def open_cases_of(enterprise: Enterprise) -> QuerySet[Case]:
    return (
        Case.objects.filter(enterprise=enterprise, status__in=Case.OPEN_STATUSES)
        .select_related("scheme", "current_milestone")
        .annotate(missing_documents=_required_document_missing())
        .order_by("revision_deadline", "-requested_at")
    )


def cases_of(enterprise: Enterprise) -> QuerySet[Case]:
    return (
        Case.objects.filter(enterprise=enterprise)
        .select_related("scheme", "current_milestone")
        .order_by("-requested_at")
    )


def latest_reminders(user, *, limit: int = 5):
    return reminders_for(user=user).filter(due_at__lte=timezone.now())[:limit]


def reminders_page(user, *, limit: int = 50):
    return reminders_for(user=user).filter(due_at__lte=timezone.now())[:limit]


def enrollment_for_offer(user, enrollment_id: int) -> Enrollment:
    try:
        return Enrollment.objects.select_related("cohort", "program", "enterprise").get(
            pk=enrollment_id, enterprise_id__in=roles.enterprise_ids(user)
        )
    except Enrollment.DoesNotExist:
        raise Http404 from None


def class_enrollment(user, cohort_id: int) -> Enrollment:
    """The user's enterprises' enrollment in a class (the latest one), or 404."""
    enrollment = (
        Enrollment.objects.filter(
            cohort_id=cohort_id,
            enterprise_id__in=roles.enterprise_ids(user),
            status__in=(*ACTIVE_CLASS_STATUSES, Enrollment.Status.OFFERED),
        )
        .select_related("cohort", "cohort__stage", "program", "enterprise")
        .order_by("-pk")
        .first()
    )
    if enrollment is None:
        raise Http404
    return enrollment


def class_sessions(enrollment: Enrollment) -> list[Session]:
    """The class's sessions, each with ``my_attendance`` (a status or None)."""
    sessions = list(
        Session.objects.filter(cohort_id=enrollment.cohort_id)
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.filter(enrollment=enrollment),
                to_attr="mine",
            )
        )
        .order_by("starts_at")
    )
    for session in sessions:
        session.my_attendance = session.mine[0] if session.mine else None
    return sessions


def attendance_rate(sessions: list[Session], *, now: dt.datetime | None = None) -> int | None:
    now = now or timezone.now()
    held = [s for s in sessions if s.starts_at <= now and s.cancelled_at is None]
    if not held:
        return None
    present = sum(
        1
        for s in held
        if s.my_attendance is not None and s.my_attendance.status != Attendance.Status.ABSENT
    )
    return round(100 * present / len(held))


def case_for(user, case_id: int) -> Case:
    try:
        return (
            Case.objects.select_related("scheme", "current_milestone", "office", "enterprise")
            .prefetch_related(
                "scheme__milestones",
                "scheme__documents",
                Prefetch("documents", queryset=CaseDocument.objects.order_by("-uploaded_at")),
                Prefetch(
                    "events",
                    queryset=CaseEvent.objects.select_related("actor").order_by("-created_at"),
                ),
            )
            .get(pk=case_id, enterprise_id__in=roles.enterprise_ids(user))
        )
    except Case.DoesNotExist:
        raise Http404 from None


def feed_sessions(user) -> QuerySet[Session]:
    return (
        Session.objects.filter(
            cohort__enrollments__enterprise_id__in=roles.enterprise_ids(user),
            cohort__enrollments__status__in=(
                Enrollment.Status.ENROLLED,
                Enrollment.Status.COMPLETED,
            ),
        )
        .select_related("cohort")
        .distinct()
        .order_by("starts_at")
    )


def certificate_case_id(user, certificate_id: int) -> int:
    from certifications.models import Certificate

    case_id = (
        Certificate.objects.filter(
            pk=certificate_id, case__enterprise_id__in=roles.enterprise_ids(user)
        )
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise Http404
    return case_id


def exports_of(enterprise: Enterprise):
    from cohorts.models import ExportRecord

    return ExportRecord.objects.filter(enterprise=enterprise).order_by("-export_date", "-pk")


def export_for(user, export_id: int):
    from cohorts.models import ExportRecord

    try:
        return ExportRecord.objects.select_related("enterprise", "program").get(
            pk=export_id, enterprise_id__in=roles.enterprise_ids(user)
        )
    except ExportRecord.DoesNotExist:
        raise Http404 from None


def open_stages_for(enterprise: Enterprise, *, today: dt.date | None = None):
    """Stages still running whose programme the enterprise has not applied to in that stage."""
    from cohorts.models import Stage

    today = today or timezone.localdate()
    taken = Enrollment.objects.filter(enterprise=enterprise).exclude(
        status__in=Enrollment.INACTIVE_STATUSES
    )
    return (
        Stage.objects.filter(end_date__gte=today)
        .exclude(pk__in=taken.values("stage_id"))
        .select_related("program", "program__office")
        .order_by("start_date", "pk")
    )


def applications_of(enterprise: Enterprise) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(enterprise=enterprise, cohort__isnull=True)
        .exclude(status__in=(Enrollment.Status.WITHDRAWN, Enrollment.Status.REMOVED))
        .select_related("stage", "program")
        .order_by("-applied_at")
    )
