"""What the cohorts app has due to remind people of, and the rules that write the reminders.

Each rule reads what is due with one indexed query (plus one for the recipients), writes its
rows through ``notifications.services.reminders_request_many`` — once per unique key, so
running a rule again writes nothing twice — and returns the number of rows it wrote. Texts
are written in each recipient's language, times in the class's zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import EnterpriseMembership, OfficeMembership, User
from cohorts.models import Attendance, Enrollment, EnterpriseSnapshot, Graduation, Session
from notifications import kinds
from notifications.services import reminders_request_many

FOLLOW_UP_DAYS = 365
# A follow-up still missing this long after it fell due is no longer asked for, so a first
# run over old data does not flood the offices.
FOLLOW_UP_ASKED_FOR_DAYS = 90
# The day before a session, its reminder leaves at this hour in the class's zone (or at
# once when the session is planned later than that).
SESSION_REMINDER_HOUR = 8
# Export follow-ups: months after graduation, and how long one is still worth sending.
EXPORT_FOLLOW_UP_MONTHS = (6, 12)
EXPORT_FOLLOW_UP_WINDOW_DAYS = 30


def snapshot_follow_ups_due(*, now: dt.datetime) -> QuerySet[Enrollment]:
    """Ended enrollments whose 12-month snapshot has fallen due and is not recorded yet."""
    due_by = now - dt.timedelta(days=FOLLOW_UP_DAYS)
    recorded = EnterpriseSnapshot.objects.filter(
        enterprise=OuterRef("enterprise"),
        program=OuterRef("program"),
        moment=EnterpriseSnapshot.Moment.FOLLOW_UP,
    )
    return (
        Enrollment.objects.filter(
            status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.NOT_COMPLETED],
            ended_at__lte=due_by,
            ended_at__gt=due_by - dt.timedelta(days=FOLLOW_UP_ASKED_FOR_DAYS),
        )
        .exclude(Exists(recorded))
        .select_related("enterprise", "program", "cohort")
        .order_by("ended_at", "pk")
    )


# --- recipients -----------------------------------------------------------------------------


def members_of(enterprise_ids) -> dict[int, list[User]]:
    """Active members of each enterprise, in one query."""
    members: dict[int, list[User]] = defaultdict(list)
    for m in EnterpriseMembership.objects.filter(
        enterprise_id__in=set(enterprise_ids), user__is_active=True
    ).select_related("user"):
        members[m.enterprise_id].append(m.user)
    return members


def staff_of(office_ids) -> dict[int, list[User]]:
    """Active staff of each office, in one query."""
    staff: dict[int, list[User]] = defaultdict(list)
    for m in OfficeMembership.objects.filter(
        office_id__in=set(office_ids), user__is_active=True
    ).select_related("user"):
        staff[m.office_id].append(m.user)
    return staff


def _language(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _when(moment: dt.datetime, zone: str) -> str:
    local = timezone.localtime(moment, ZoneInfo(zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


# --- session tomorrow -----------------------------------------------------------------------


def sessions_tomorrow(*, now: dt.datetime) -> list[Session]:
    """Sessions not cancelled that start tomorrow in their class's zone (uses the start index
    through a two-day window, then keeps those on the local tomorrow)."""
    window = Session.objects.filter(
        cancelled_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=50),
        cohort__closed_at__isnull=True,
    ).select_related("cohort", "cohort__stage__program")
    due = []
    for session in window:
        zone = ZoneInfo(session.cohort.time_zone)
        tomorrow = timezone.localtime(now, zone).date() + dt.timedelta(days=1)
        if timezone.localtime(session.starts_at, zone).date() == tomorrow:
            due.append(session)
    return due


def remind_sessions_tomorrow(*, now: dt.datetime | None = None) -> int:
    """Each enrolled participant of a class meeting tomorrow, the day before."""
    now = now or timezone.now()
    sessions = sessions_tomorrow(now=now)
    if not sessions:
        return 0
    enrolled: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in Enrollment.objects.filter(
        cohort__in={s.cohort_id for s in sessions}, status=Enrollment.Status.ENROLLED
    ).select_related("enterprise"):
        enrolled[enrollment.cohort_id].append(enrollment)
    members = members_of(e.enterprise_id for group in enrolled.values() for e in group)
    requests = []
    for session in sessions:
        cohort = session.cohort
        zone = ZoneInfo(cohort.time_zone)
        start = timezone.localtime(session.starts_at, zone)
        send_at = dt.datetime.combine(
            start.date() - dt.timedelta(days=1), dt.time(SESSION_REMINDER_HOUR), tzinfo=zone
        )
        for enrollment in enrolled[cohort.pk]:
            for user in members[enrollment.enterprise_id]:
                with translation.override(_language(user)):
                    values = {
                        "topic": session.topic,
                        "class": cohort.name,
                        "when": _when(session.starts_at, cohort.time_zone),
                        "place": session.place or cohort.venue or session.online_link or "—",
                    }
                    title = _("Tomorrow: %(topic)s (%(class)s)") % values
                    body = (
                        _(
                            "Your class %(class)s meets tomorrow, %(when)s, at %(place)s. "
                            "Topic: %(topic)s."
                        )
                        % values
                    )
                requests.append(
                    {
                        "kind": kinds.SESSION_TOMORROW,
                        "recipient": user,
                        "subject_object": session,
                        "unique_key": (
                            f"session-tomorrow:{session.pk}:{start.date().isoformat()}"
                            f":e{enrollment.pk}:u{user.pk}"
                        ),
                        "title": title,
                        "body": body,
                        "due_at": max(now, send_at),
                        "link": reverse("portal:class_detail", args=[cohort.pk]),
                    }
                )
    return reminders_request_many(requests=requests)


# --- two consecutive absences ---------------------------------------------------------------


def enrollments_absent_twice(*, now: dt.datetime) -> list[tuple[Enrollment, Session]]:
    """Enrolled participants absent from the two latest held sessions of their class, with
    the second of them (the streak's key). Reads the absences of the last 60 days."""
    recent_absences = (
        Attendance.objects.filter(
            status=Attendance.Status.ABSENT,
            enrollment__status=Enrollment.Status.ENROLLED,
            session__cancelled_at__isnull=True,
            session__starts_at__lte=now,
            session__starts_at__gte=now - dt.timedelta(days=60),
        )
        .select_related("enrollment__enterprise", "enrollment__cohort__stage__program", "session")
        .order_by("enrollment_id", "-session__starts_at")
    )
    absences: dict[int, list[Attendance]] = defaultdict(list)
    for attendance in recent_absences:
        absences[attendance.enrollment_id].append(attendance)
    candidates = {k: v for k, v in absences.items() if len(v) >= 2}
    if not candidates:
        return []
    # the two latest held sessions of each class concerned
    latest: dict[int, list[int]] = defaultdict(list)
    for cohort_id, session_id in (
        Session.objects.filter(
            cohort__in={a[0].enrollment.cohort_id for a in candidates.values()},
            cancelled_at__isnull=True,
            starts_at__lte=now,
        )
        .order_by("cohort_id", "-starts_at")
        .values_list("cohort_id", "pk")
    ):
        if len(latest[cohort_id]) < 2:
            latest[cohort_id].append(session_id)
    due = []
    for rows in candidates.values():
        enrollment = rows[0].enrollment
        if [a.session_id for a in rows[:2]] == latest[enrollment.cohort_id]:
            due.append((enrollment, rows[0].session))
    return due


def remind_absences(*, now: dt.datetime | None = None) -> int:
    """Two absences in a row: the participant and the class's staff, once per streak."""
    now = now or timezone.now()
    due = enrollments_absent_twice(now=now)
    if not due:
        return 0
    members = members_of(e.enterprise_id for e, _s in due)
    staff = staff_of(e.cohort.stage.program.office_id for e, _s in due)
    requests = []
    for enrollment, session in due:
        cohort = enrollment.cohort
        recipients = {u.pk: u for u in members[enrollment.enterprise_id]}
        recipients.update({u.pk: u for u in staff[cohort.stage.program.office_id]})
        for user in recipients.values():
            with translation.override(_language(user)):
                values = {"enterprise": enrollment.enterprise.name, "class": cohort.name}
                title = _("%(enterprise)s missed two sessions in a row") % values
                body = (
                    _(
                        "%(enterprise)s was absent from the last two sessions of %(class)s. "
                        "Attendance counts towards completing the class: please get in touch "
                        "with the class's staff."
                    )
                    % values
                )
            requests.append(
                {
                    "kind": kinds.ABSENCES,
                    "recipient": user,
                    "subject_object": enrollment,
                    "unique_key": f"absences:{enrollment.pk}:s{session.pk}:u{user.pk}",
                    "title": title,
                    "body": body,
                    "due_at": now,
                    "link": reverse("portal:class_detail", args=[cohort.pk]),
                }
            )
    return reminders_request_many(requests=requests)


# --- export follow-ups after graduation -----------------------------------------------------


def graduations_due_follow_up(*, today: dt.date, months: int) -> QuerySet[Graduation]:
    """Graduations (not revoked) whose ``months``-month follow-up fell due in the last month."""
    due_on = today - dt.timedelta(days=round(months * 30.44))
    return Graduation.objects.filter(
        revoked_at__isnull=True,
        graduated_on__lte=due_on,
        graduated_on__gt=due_on - dt.timedelta(days=EXPORT_FOLLOW_UP_WINDOW_DAYS),
    ).select_related("enterprise")


def remind_export_follow_ups(*, now: dt.datetime | None = None) -> int:
    """6 and 12 months after graduation, the enterprise is asked to report its exports."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = [
        (graduation, months)
        for months in EXPORT_FOLLOW_UP_MONTHS
        for graduation in graduations_due_follow_up(today=today, months=months)
    ]
    if not due:
        return 0
    members = members_of(g.enterprise_id for g, _m in due)
    requests = []
    for graduation, months in due:
        for user in members[graduation.enterprise_id]:
            with translation.override(_language(user)):
                values = {"enterprise": graduation.enterprise.name, "months": months}
                title = _("%(months)s months as an exporter: report your exports") % values
                body = (
                    _(
                        "%(enterprise)s became a new exporter %(months)s months ago. Report the "
                        "exports made since then, so the programme can count them."
                    )
                    % values
                )
            requests.append(
                {
                    "kind": kinds.EXPORT_FOLLOW_UP,
                    "recipient": user,
                    "subject_object": graduation,
                    "unique_key": f"export-follow-up:{graduation.pk}:{months}m:u{user.pk}",
                    "title": title,
                    "body": body,
                    "due_at": now,
                    "link": reverse("portal:export_report"),
                }
            )
    return reminders_request_many(requests=requests)


def run_rules(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every cohorts rule run by beat every few minutes; the number of rows each wrote.
    (The 12-month snapshot has its own daily entry: ``snapshot_follow_ups_request``.)"""
    now = now or timezone.now()
    return {
        kinds.SESSION_TOMORROW: remind_sessions_tomorrow(now=now),
        kinds.ABSENCES: remind_absences(now=now),
        kinds.EXPORT_FOLLOW_UP: remind_export_follow_ups(now=now),
    }
