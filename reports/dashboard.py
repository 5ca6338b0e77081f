"""The admin's start page: where an office (or the country) stands against its targets.

Every figure is one aggregate query over the domain apps' scoped selectors, so the page
costs the same number of queries for ten enterprises as for a hundred thousand. Each figure
carries the admin list (with its filter) that shows the rows behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Enterprise, TradeOffice
from certifications import selectors as certification_selectors
from certifications.models import Case, Certificate
from cohorts import selectors as cohort_selectors
from cohorts.models import Enrollment, ExportRecord
from notifications.models import Reminder

EXPIRING_WITHIN_DAYS = 90
PILING_UP_AFTER = dt.timedelta(hours=1)
BAR_WIDTH = 400  # the SVG charts' drawing width, in user units

SELECTED = [
    Enrollment.Status.SELECTED,
    Enrollment.Status.WAITLISTED,
    Enrollment.Status.OFFERED,
    Enrollment.Status.ENROLLED,
    Enrollment.Status.COMPLETED,
    Enrollment.Status.NOT_COMPLETED,
]
ENROLLED = [
    Enrollment.Status.ENROLLED,
    Enrollment.Status.COMPLETED,
    Enrollment.Status.NOT_COMPLETED,
]


def _url(name: str, **params) -> str:
    url = reverse(f"admin:{name}")
    return f"{url}?{urlencode(params)}" if params else url


@dataclass
class Bar:
    label: str
    value: int
    url: str
    width: int = 0
    y: int = 0
    css: str = ""


@dataclass
class Dashboard:
    title: str
    national: bool
    population: int
    exporters: int
    target_percent: Decimal
    funnel: list[Bar] = field(default_factory=list)
    cases: list[Bar] = field(default_factory=list)
    classes_running: int = 0
    classes_url: str = ""
    sessions_this_week: int = 0
    sessions_url: str = ""
    certificates_expiring: int = 0
    certificates_url: str = ""
    reminders_failed: int = 0
    reminders_piling: int = 0
    reminders_failed_url: str = ""
    reminders_piling_url: str = ""
    exporters_url: str = ""

    @property
    def exporter_percent(self) -> Decimal:
        if not self.population:
            return Decimal(0)
        return (Decimal(self.exporters) * 100 / self.population).quantize(Decimal("0.001"))

    @property
    def target_exporters(self) -> int:
        return int(self.population * self.target_percent / 100)

    @property
    def share_width(self) -> int:
        """The exporters' share drawn against a bar whose full width is the target."""
        if not self.target_exporters:
            return 0
        width = min(BAR_WIDTH, round(BAR_WIDTH * self.exporters / self.target_exporters))
        return max(width, 2) if self.exporters else 0  # a few exporters still show

    @property
    def chart_width(self) -> int:
        return BAR_WIDTH

    @property
    def funnel_height(self) -> int:
        return 28 * len(self.funnel)

    @property
    def cases_height(self) -> int:
        return 28 * len(self.cases)


def _scale(bars: list[Bar], css: str) -> list[Bar]:
    top = max((bar.value for bar in bars), default=0) or 1
    for index, bar in enumerate(bars):
        bar.width = round(BAR_WIDTH * bar.value / top)
        bar.y = index * 28
        bar.css = css
    return bars


def office_dashboard(*, user, now: dt.datetime | None = None) -> Dashboard | None:
    """The dashboard for ``user``: their offices, or the whole country for national viewers
    and platform admins; None for anyone else."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    national = roles.reads_everything(user)
    office_ids = roles.office_ids(user)
    if not national and not office_ids:
        return None
    offices = (
        TradeOffice.objects.all() if national else TradeOffice.objects.filter(pk__in=office_ids)
    )
    totals = offices.aggregate(
        population=Sum("ikm_population"),
        target_exporters=Sum(F("ikm_population") * F("exporter_target_percent")),
    )
    population = totals["population"] or 0
    target_percent = (
        (Decimal(totals["target_exporters"]) / population).quantize(Decimal("0.1"))
        if population
        else Decimal(0)
    )
    if national:
        enterprises = Enterprise.objects.all()
        title = _("National view")
    else:
        enterprises = Enterprise.objects.filter(registered_by_id__in=office_ids)
        names = list(offices.values_list("short_name", "name"))
        title = ", ".join(short or name for short, name in names)
    exporters = enterprises.exclude(export_status=Enterprise.ExportStatus.NONE).count()

    enrollments = cohort_selectors.enrollments_visible_to(user)
    if not national:
        enrollments = enrollments.filter(program__office_id__in=office_ids)
    funnel = enrollments.aggregate(
        applied=Count("pk"),
        selected=Count("pk", filter=Q(status__in=SELECTED)),
        enrolled=Count("pk", filter=Q(status__in=ENROLLED)),
        completed=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
    )
    participants = enrollments.values("enterprise_id")
    certified = (
        certification_selectors.certificates_in_force()
        .filter(case__enterprise_id__in=participants)
        .values("case__enterprise_id")
        .distinct()
        .count()
    )
    exporting = (
        ExportRecord.objects.filter(
            status=ExportRecord.Status.VERIFIED, enterprise_id__in=participants
        )
        .values("enterprise_id")
        .distinct()
        .count()
    )
    enrollment_list = "cohorts_enrollment_changelist"
    dashboard = Dashboard(
        title=title,
        national=national,
        population=population,
        exporters=exporters,
        target_percent=target_percent,
        exporters_url=_url("accounts_enterprise_changelist", export_status__in="indirect,direct"),
    )
    dashboard.funnel = _scale(
        [
            Bar(_("Applied"), funnel["applied"], _url(enrollment_list)),
            Bar(
                _("Selected"),
                funnel["selected"],
                _url(enrollment_list, status__in=",".join(SELECTED)),
            ),
            Bar(
                _("Enrolled"),
                funnel["enrolled"],
                _url(enrollment_list, status__in=",".join(ENROLLED)),
            ),
            Bar(
                _("Completed"),
                funnel["completed"],
                _url(enrollment_list, status__exact=Enrollment.Status.COMPLETED),
            ),
            Bar(
                _("Certified"),
                certified,
                _url("certifications_certificate_changelist", status__exact="active"),
            ),
            Bar(
                _("Exporting"),
                exporting,
                _url("cohorts_exportrecord_changelist", status__exact="verified"),
            ),
        ],
        "nk-bar-funnel",
    )

    cohorts = cohort_selectors.cohorts_visible_to(user)
    sessions = cohort_selectors.sessions_visible_to(user)
    cases = certification_selectors.cases_visible_to(user)
    certificates = certification_selectors.certificates_visible_to(user)
    if not national:
        cohorts = cohorts.filter(stage__program__office_id__in=office_ids)
        sessions = sessions.filter(cohort__stage__program__office_id__in=office_ids)
        cases = cases.filter(office_id__in=office_ids)
        certificates = certificates.filter(case__office_id__in=office_ids)
    dashboard.classes_running = cohorts.filter(
        closed_at__isnull=True,
        stage__program__start_date__lte=today,
        stage__program__end_date__gte=today,
    ).count()
    dashboard.classes_url = _url("cohorts_cohort_changelist")
    week_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start -= dt.timedelta(days=week_start.weekday())
    dashboard.sessions_this_week = sessions.filter(
        cancelled_at__isnull=True,
        starts_at__gte=week_start,
        starts_at__lt=week_start + dt.timedelta(days=7),
    ).count()
    dashboard.sessions_url = _url("cohorts_session_changelist", **{"cancelled_at__isempty": "1"})
    by_status = dict(cases.values_list("status").annotate(n=Count("pk")).order_by())
    dashboard.cases = _scale(
        [
            Bar(
                str(label),
                by_status.get(status, 0),
                _url("certifications_case_changelist", status__exact=status),
            )
            for status, label in Case.Status.choices
        ],
        "nk-bar-cases",
    )
    dashboard.certificates_expiring = (
        certification_selectors.certificates_expiring(today=today, within_days=EXPIRING_WITHIN_DAYS)
        .filter(pk__in=certificates.values("pk"))
        .count()
    )
    dashboard.certificates_url = _url(
        "certifications_certificate_changelist",
        status__exact=Certificate.Status.ACTIVE,
        expiry_date__gte=today.isoformat(),
        expiry_date__lt=(today + dt.timedelta(days=EXPIRING_WITHIN_DAYS + 1)).isoformat(),
    )
    reminders = Reminder.objects.all()
    if not national:
        reminders = reminders.filter(
            Q(recipient__enterprise_memberships__enterprise__registered_by_id__in=office_ids)
            | Q(recipient__office_memberships__office_id__in=office_ids)
        )
    counts = Reminder.objects.filter(pk__in=reminders.values("pk")).aggregate(
        failed=Count("pk", filter=Q(status=Reminder.Status.FAILED)),
        piling=Count(
            "pk",
            filter=Q(status=Reminder.Status.PENDING, due_at__lt=now - PILING_UP_AFTER),
        ),
    )
    dashboard.reminders_failed = counts["failed"]
    dashboard.reminders_piling = counts["piling"]
    dashboard.reminders_failed_url = _url(
        "notifications_reminder_changelist", status__exact=Reminder.Status.FAILED
    )
    dashboard.reminders_piling_url = _url(
        "notifications_reminder_changelist", status__exact=Reminder.Status.PENDING
    )
    return dashboard
