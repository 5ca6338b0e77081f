"""The funders' indicators, computed in the database.

Every indicator is an aggregate over one source table (enrollments, attendance, requests,
certificates, new exporters, exports, snapshots), so the summary, a breakdown and a time
series each cost a fixed number of queries whatever the number of enterprises. The API,
the reports page and the staff dashboard read these functions; none recomputes a number.

Each indicator is filtered on its own event date (``INDICATOR_DATES``): applying, being
admitted (``enrolled_at``), ending (``ended_at``), the session, the request, the grant
(``issue_date``), the first export (``graduated_on``), the export date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Enterprise, Funder, Province, Regency, Sector
from certifications.models import Case as CertificationCase
from certifications.models import Certificate, Scheme
from cohorts.models import (
    LEVEL_ORDER,
    Attendance,
    Enrollment,
    EnterpriseSnapshot,
    ExportRecord,
    Funding,
    Graduation,
    Level,
    Program,
)

SUPPRESSION_THRESHOLD = 5

# Admitted to a class: the statuses an enrollment can only reach after being given a seat.
ADMITTED = ("enrolled", "completed", "not_completed")
SELECTED = ("selected", "waitlisted", "offered", "enrolled", "completed", "not_completed")
DROPPED = ("withdrawn", "removed")
ENDED = ("completed", "not_completed", "withdrawn", "removed")
SIZE_RANK = {"micro": 0, "small": 1, "medium": 2, "large": 3}

INDICATOR_DATES = {
    "applicants": "applied_at",
    "selected": "applied_at",
    "enterprises_enrolled": "enrolled_at",
    "enrollments_by_level": "enrolled_at",
    "completed_by_level": "ended_at",
    "dropouts": "ended_at",
    "completion_rate": "ended_at",
    "attendance_rate": "session starts_at",
    "level_progressions": "enrolled_at",
    "certification_cases_by_family": "requested_at",
    "certificates_granted_by_family": "issue_date",
    "certificates_granted_by_scheme": "issue_date",
    "certificates_active": "issue_date",
    "nib_obtained": "enrolled_at",
    "new_exporters": "graduated_on",
    "repeat_exporters": "graduated_on",
    "new_destinations": "export_date",
    "export_value_idr": "export_date",
    "export_value_usd": "export_date",
    "destination_countries": "export_date",
    "women_owned_share": "enrolled_at",
    "women_led_share": "enrolled_at",
    "employees_women": "snapshot taken_on / enrolled_at",
    "employees_men": "snapshot taken_on / enrolled_at",
    "size_class_upgrades": "snapshot taken_on",
    "subsidy_idr": "requested_at",
}

INDICATOR_DEFINITIONS = {
    "applicants": _("Distinct enterprises that applied (application date)."),
    "selected": _("Distinct enterprises that passed selection (application date)."),
    "enterprises_enrolled": _("Distinct enterprises admitted to a class (admission date)."),
    "enrollments_by_level": _("Admissions to a class, by the class's level (admission date)."),
    "completed_by_level": _("Enrollments completed, by the class's level (completion date)."),
    "dropouts": _("Admitted enrollments that were withdrawn or removed (end date)."),
    "completion_rate": _(
        "Completed ÷ admitted enrollments that ended (completed, not completed, withdrawn or "
        "removed), by end date; null when none ended."
    ),
    "attendance_rate": _(
        "Present marks ÷ all attendance marks of sessions not cancelled (session date); null "
        "when none."
    ),
    "level_progressions": _(
        "Admissions to an intermediate or advanced class by an enterprise that completed a "
        "lower level before (admission date)."
    ),
    "certification_cases_by_family": _(
        "Certification assistance requests by scheme family (request date)."
    ),
    "certificates_granted_by_family": _("Certificates granted by scheme family (issue date)."),
    "certificates_granted_by_scheme": _("Certificates granted by scheme code (issue date)."),
    "certificates_active": _("Certificates granted that are active today (issue date)."),
    "nib_obtained": _(
        "Admitted enterprises without an NIB at selection that hold one now (admission date)."
    ),
    "new_exporters": _(
        "Distinct enterprises whose first verified export after joining made them new "
        "exporters (first export date); an enterprise that already exported is never one."
    ),
    "repeat_exporters": _(
        "New exporters with another verified export within 12 months of the first."
    ),
    "new_destinations": _(
        "Verified exports to a country the enterprise had not exported to before (export date)."
    ),
    "export_value_idr": _("Sum of verified exports in rupiah (export date)."),
    "export_value_usd": _("Sum of verified exports in US dollars (export date)."),
    "destination_countries": _("Distinct destination countries of verified exports."),
    "women_owned_share": _("Share of admitted enterprises that are women-owned (0–1)."),
    "women_led_share": _("Share of admitted enterprises that are women-led (0–1)."),
    "employees_women": _(
        "Women employees of admitted enterprises: at intake (intake snapshots) and latest "
        "(the enterprise's current record)."
    ),
    "employees_men": _("Men employees of admitted enterprises: at intake and latest."),
    "size_class_upgrades": _(
        "Enterprises whose completion or 12-month snapshot shows a larger size class than at "
        "intake."
    ),
    "subsidy_idr": _("Certification subsidies in rupiah (request date)."),
}

BREAKDOWN_KEYS = (
    "province",
    "regency",
    "sector",
    "level",
    "size",
    "owner_gender",
    "funder",
    "export_channel",
    "destination",
)
TIMESERIES_METRICS = ("enrollments", "completions", "certificates", "new_exporters", "export_value")
INTERVALS = ("month", "quarter", "semester", "year")


# --- who sees what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The programmes a viewer reads: ``programs`` is None for everything (national)."""

    programs: QuerySet | None = None

    @property
    def is_national(self) -> bool:
        return self.programs is None

    def program_queryset(self) -> QuerySet[Program]:
        return Program.objects.all() if self.programs is None else self.programs


def scope_for_funder(funder: Funder) -> Scope:
    """A funder reads the programmes it funds, through any kind of funding."""
    return Scope(
        programs=Program.objects.filter(
            pk__in=Funding.objects.filter(funder=funder).values("program_id")
        )
    )


def scope_for_user(user) -> Scope:
    """National viewers and superusers: everything; staff: their offices' programmes;
    analysts: their funders' programmes."""
    if roles.reads_everything(user):
        return Scope()
    from cohorts.selectors import programs_visible_to

    return Scope(programs=programs_visible_to(user))


def may_read_reports(user) -> bool:
    return bool(
        roles.reads_everything(user) or roles.is_office_staff(user) or roles.is_funder_analyst(user)
    )


# --- filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    program: Program | None = None
    stage_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    province: str | None = None  # Kemendagri code
    regency: str | None = None  # Kemendagri code
    sector: str | None = None  # sector code


# Each source: the path to its enterprise, its programme, its class level, its export
# record, and its event date (with whether that date is a timestamp).
@dataclass(frozen=True)
class Source:
    model: type
    enterprise: str
    program: str
    level: str | None
    export: str | None
    date: str
    timestamp: bool
    stage: str | None = None
    extra: dict = field(default_factory=dict)


SOURCES = {
    "enrollment": Source(Enrollment, "enterprise", "program", "cohort__level", None,
                         "applied_at", True, stage="stage_id"),
    "attendance": Source(Attendance, "enrollment__enterprise", "enrollment__program",
                         "enrollment__cohort__level", None, "session__starts_at", True,
                         stage="enrollment__stage_id"),
    "case": Source(CertificationCase, "enterprise", "program", None, None, "requested_at", True),
    "certificate": Source(Certificate, "case__enterprise", "case__program", None, None,
                          "issue_date", False),
    "graduation": Source(Graduation, "enterprise", "programs", None, "export_record",
                         "graduated_on", False),
    "export": Source(ExportRecord, "enterprise", "program", None, "", "export_date", False),
    "snapshot": Source(EnterpriseSnapshot, "enterprise", "program", None, None, "taken_on",
                       False),
}  # fmt: skip

ENTERPRISE_KEYS = {
    "province": "province__code_kemendagri",
    "regency": "regency__code_kemendagri",
    "sector": "sector__code",
    "size": "size_class",
    "owner_gender": "owner_gender",
}


def _join(*parts: str) -> str:
    return "__".join(p for p in parts if p)


def key_path(source: Source, by: str | None) -> str | None:
    """The field a source is grouped on for a breakdown, or None when it has no such key."""
    if by is None:
        return None
    if by in ENTERPRISE_KEYS:
        return _join(source.enterprise, ENTERPRISE_KEYS[by])
    if by == "level":
        return source.level
    if by == "funder":
        return _join(source.program, "fundings__funder_id")
    if by in ("export_channel", "destination") and source.export is not None:
        name = "channel" if by == "export_channel" else "destination_country"
        return _join(source.export, name)
    return None


def _day_start(day: dt.date) -> dt.datetime:
    # Dates at the ends of the calendar cannot become timestamps in every time zone.
    day = min(max(day, dt.date(1900, 1, 1)), dt.date(2999, 12, 31))
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _date_q(path: str, timestamp: bool, filters: ReportFilters) -> Q:
    q = Q()
    if filters.date_from:
        bound = _day_start(filters.date_from) if timestamp else filters.date_from
        q &= Q(**{f"{path}__gte": bound})
    if filters.date_to:
        if timestamp:
            q &= Q(**{f"{path}__lt": _day_start(filters.date_to + dt.timedelta(days=1))})
        else:
            q &= Q(**{f"{path}__lte": filters.date_to})
    return q


def base(
    name: str,
    scope: Scope,
    filters: ReportFilters,
    *,
    date: str | None = None,
    timestamp: bool | None = None,
) -> QuerySet:
    """A source's rows the viewer may count, filtered; ``date`` overrides its event date."""
    source = SOURCES[name]
    qs = source.model.objects.all()
    if scope.programs is not None:
        qs = qs.filter(**{f"{source.program}__in": scope.programs.values("pk")})
    if filters.program is not None:
        qs = qs.filter(**{source.program: filters.program.pk})
    if filters.stage_id is not None:
        if source.stage:
            qs = qs.filter(**{source.stage: filters.stage_id})
        else:
            seated = Enrollment.objects.filter(stage_id=filters.stage_id).values("enterprise_id")
            qs = qs.filter(**{f"{_join(source.enterprise, 'id')}__in": seated})
    if filters.province:
        qs = qs.filter(**{_join(source.enterprise, ENTERPRISE_KEYS["province"]): filters.province})
    if filters.regency:
        qs = qs.filter(**{_join(source.enterprise, ENTERPRISE_KEYS["regency"]): filters.regency})
    if filters.sector:
        qs = qs.filter(**{_join(source.enterprise, ENTERPRISE_KEYS["sector"]): filters.sector})
    date = date or source.date
    timestamp = source.timestamp if timestamp is None else timestamp
    return qs.filter(_date_q(date, timestamp, filters)).order_by()


def _grouped(qs: QuerySet, path: str | None, **aggregates) -> dict:
    """{group key: {aggregate: value}}; the key is None for the whole (one row, always)."""
    if path is None:
        return {None: qs.aggregate(**aggregates)}
    rows = qs.values(_g=_key_expr(path)).annotate(**aggregates)
    return {row.pop("_g"): row for row in rows}


def _key_expr(path: str):
    from django.db.models import F

    return F(path)


def _ent(source: str) -> str:
    return _join(SOURCES[source].enterprise, "id")


# --- the indicators --------------------------------------------------------------------


def _collect(scope: Scope, filters: ReportFilters, by: str | None) -> dict:
    """Every indicator per group: {key: {indicator: value}} plus the group's enterprise
    count (for suppression), one query per source."""
    groups: dict = {}

    def put(key, **values):
        groups.setdefault(key, {}).update(values)

    def seen(key, n):
        row = groups.setdefault(key, {})
        row["_enterprises"] = max(row.get("_enterprises", 0), n or 0)

    src = SOURCES

    # Applications (application date)
    path = key_path(src["enrollment"], by)
    if path is not None or by is None:
        for key, row in _grouped(
            base("enrollment", scope, filters),
            path,
            applicants=Count("enterprise_id", distinct=True),
            selected=Count(
                "enterprise_id",
                distinct=True,
                filter=Q(status__in=SELECTED) | Q(enrolled_at__isnull=False),
            ),
        ).items():
            put(key, **row)
            seen(key, row["applicants"])

        # Admissions (admission date)
        admitted = base("enrollment", scope, filters, date="enrolled_at").filter(
            enrolled_at__isnull=False
        )
        mahir_after_lower = Exists(
            Enrollment.objects.filter(
                enterprise_id=OuterRef("enterprise_id"),
                status=Enrollment.Status.COMPLETED,
                cohort__level__in=[Level.PEMULA, Level.MENENGAH],
            )
        )
        pemula_done = Exists(
            Enrollment.objects.filter(
                enterprise_id=OuterRef("enterprise_id"),
                status=Enrollment.Status.COMPLETED,
                cohort__level=Level.PEMULA,
            )
        )
        admitted = admitted.alias(
            progressed=Case(
                When(Q(cohort__level=Level.MENENGAH) & Q(pemula_done), then=Value(1)),
                When(Q(cohort__level=Level.MAHIR) & Q(mahir_after_lower), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        aggregates = {
            "enterprises_enrolled": Count("enterprise_id", distinct=True),
            "level_progressions": Count("pk", filter=Q(progressed=1)),
            "nib_obtained": Count(
                "enterprise_id", distinct=True, filter=Q(has_nib=False) & ~Q(enterprise__nib="")
            ),
            "women_owned": Count(
                "enterprise_id", distinct=True, filter=Q(enterprise__women_owned=True)
            ),
            "women_led": Count(
                "enterprise_id", distinct=True, filter=Q(enterprise__women_led=True)
            ),
        }
        for level in LEVEL_ORDER:
            aggregates[f"enrolled_{level}"] = Count("pk", filter=Q(cohort__level=level))
        for key, row in _grouped(admitted, path, **aggregates).items():
            put(key, **row)
            seen(key, row["enterprises_enrolled"])

        # Latest employees of the admitted enterprises, each counted once.
        people = Enterprise.objects.filter(pk__in=admitted.values("enterprise_id"))
        if path is None:
            put(None, **people.aggregate(
                employees_women_latest=Sum("employees_women"),
                employees_men_latest=Sum("employees_men"),
            ))  # fmt: skip
        elif by in ENTERPRISE_KEYS:
            for key, row in _grouped(
                people,
                ENTERPRISE_KEYS[by],
                employees_women_latest=Sum("employees_women"),
                employees_men_latest=Sum("employees_men"),
            ).items():
                put(key, **row)

        # Endings (end date)
        ended = base("enrollment", scope, filters, date="ended_at").filter(
            enrolled_at__isnull=False, status__in=ENDED
        )
        aggregates = {
            "dropouts": Count("pk", filter=Q(status__in=DROPPED)),
            "ended": Count("pk"),
            "completed": Count("pk", filter=Q(status="completed")),
        }
        for level in LEVEL_ORDER:
            aggregates[f"completed_{level}"] = Count(
                "pk", filter=Q(status="completed", cohort__level=level)
            )
        for key, row in _grouped(ended, path, **aggregates).items():
            put(key, **row)

    # Attendance (session date)
    path = key_path(src["attendance"], by)
    if path is not None or by is None:
        marks = base("attendance", scope, filters).filter(session__cancelled_at__isnull=True)
        for key, row in _grouped(
            marks,
            path,
            marks=Count("pk"),
            present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
        ).items():
            put(key, **row)

    # Certification requests (request date)
    path = key_path(src["case"], by)
    if path is not None or by is None:
        aggregates = {"subsidy_idr": Sum("subsidy"), "_case_enterprises": Count(
            "enterprise_id", distinct=True)}  # fmt: skip
        for family in Scheme.Family.values:
            aggregates[f"cases_{family}"] = Count("pk", filter=Q(scheme__family=family))
        for key, row in _grouped(base("case", scope, filters), path, **aggregates).items():
            seen(key, row.pop("_case_enterprises"))
            put(key, **row)

    # Certificates (issue date): families in one query, schemes in another.
    path = key_path(src["certificate"], by)
    if path is not None or by is None:
        certificates = base("certificate", scope, filters)
        aggregates = {
            "certificates_active": Count("pk", filter=Q(status=Certificate.Status.ACTIVE)),
        }
        for family in Scheme.Family.values:
            aggregates[f"granted_{family}"] = Count("pk", filter=Q(case__scheme__family=family))
        for key, row in _grouped(certificates, path, **aggregates).items():
            put(key, **row)
        by_scheme = certificates.values(*([path] if path else []), "case__scheme__code").annotate(
            n=Count("pk")
        )
        for row in by_scheme:
            key = row[path] if path else None
            schemes = groups.setdefault(key, {}).setdefault("granted_schemes", {})
            schemes[row["case__scheme__code"]] = row["n"]

    # New exporters (first export date), each enterprise once per group.
    path = key_path(src["graduation"], by)
    if path is not None or by is None:
        graduations = base("graduation", scope, filters).filter(revoked_at__isnull=True)
        from cohorts.selectors import graduations_with_repeat_exports

        graduations = graduations_with_repeat_exports(graduations)
        for key, row in _grouped(
            graduations,
            path,
            new_exporters=Count("enterprise_id", distinct=True),
            repeat_exporters=Count("enterprise_id", distinct=True, filter=Q(repeat_exports__gt=0)),
        ).items():
            seen(key, row["new_exporters"])
            put(key, **row)

    # Verified exports (export date)
    path = key_path(src["export"], by)
    if path is not None or by is None:
        exports = base("export", scope, filters).filter(status=ExportRecord.Status.VERIFIED)
        for key, row in _grouped(
            exports,
            path,
            new_destinations=Count("pk", filter=Q(is_new_destination=True)),
            export_value_idr=Sum("value_idr"),
            export_value_usd=Sum("value_usd"),
            destination_countries=Count("destination_country", distinct=True),
            _exporters=Count("enterprise_id", distinct=True),
        ).items():
            seen(key, row.pop("_exporters"))
            put(key, **row)

    # Snapshots: employees at intake, size-class upgrades (snapshot date).
    path = key_path(src["snapshot"], by)
    if path is not None or by is None:
        snapshots = base("snapshot", scope, filters)
        rank = Case(
            *[When(size_class=k, then=Value(v)) for k, v in SIZE_RANK.items()],
            output_field=IntegerField(),
        )
        later_larger = (
            EnterpriseSnapshot.objects.filter(
                enterprise_id=OuterRef("enterprise_id"),
                program_id=OuterRef("program_id"),
                moment__in=[
                    EnterpriseSnapshot.Moment.COMPLETION,
                    EnterpriseSnapshot.Moment.FOLLOW_UP,
                ],
            )
            .alias(rank=rank)
            .filter(rank__gt=OuterRef("rank"))
        )
        intake = snapshots.filter(moment=EnterpriseSnapshot.Moment.INTAKE).alias(rank=rank)
        intake = intake.alias(upgraded=Exists(later_larger))
        for key, row in _grouped(
            intake,
            path,
            employees_women_intake=Sum("employees_women"),
            employees_men_intake=Sum("employees_men"),
            size_class_upgrades=Count("enterprise_id", distinct=True, filter=Q(upgraded=True)),
        ).items():
            put(key, **row)

    return groups


LEVEL_NAMES = {Level.PEMULA: "beginner", Level.MENENGAH: "intermediate", Level.MAHIR: "advanced"}


def _rate(numerator, denominator) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _indicators(row: dict) -> dict:
    """The published indicators from a group's raw aggregates."""
    n = lambda name: row.get(name) or 0  # noqa: E731
    families = Scheme.Family.values
    enrolled = n("enterprises_enrolled")
    return {
        "applicants": n("applicants"),
        "selected": n("selected"),
        "enterprises_enrolled": enrolled,
        "enrollments_by_level": {LEVEL_NAMES[lv]: n(f"enrolled_{lv}") for lv in LEVEL_ORDER},
        "completed_by_level": {LEVEL_NAMES[lv]: n(f"completed_{lv}") for lv in LEVEL_ORDER},
        "dropouts": n("dropouts"),
        "completion_rate": _rate(n("completed"), n("ended")),
        "attendance_rate": _rate(n("present"), n("marks")),
        "level_progressions": n("level_progressions"),
        "certification_cases_by_family": {f: n(f"cases_{f}") for f in families},
        "certificates_granted_by_family": {f: n(f"granted_{f}") for f in families},
        "certificates_granted_by_scheme": dict(sorted((row.get("granted_schemes") or {}).items())),
        "certificates_active": n("certificates_active"),
        "nib_obtained": n("nib_obtained"),
        "new_exporters": n("new_exporters"),
        "repeat_exporters": n("repeat_exporters"),
        "new_destinations": n("new_destinations"),
        "export_value_idr": int(n("export_value_idr")),
        "export_value_usd": str(Decimal(n("export_value_usd")).quantize(Decimal("0.01"))),
        "destination_countries": n("destination_countries"),
        "women_owned_share": _rate(n("women_owned"), enrolled),
        "women_led_share": _rate(n("women_led"), enrolled),
        "employees_women": {
            "intake": n("employees_women_intake"),
            "latest": n("employees_women_latest"),
        },
        "employees_men": {"intake": n("employees_men_intake"), "latest": n("employees_men_latest")},
        "size_class_upgrades": n("size_class_upgrades"),
        "subsidy_idr": int(n("subsidy_idr")),
    }


INDICATOR_NAMES = tuple(_indicators({}).keys())


def _suppressed(indicators: dict) -> dict:
    def blank(value):
        return {k: blank(v) for k, v in value.items()} if isinstance(value, dict) else None

    return {name: blank(value) for name, value in indicators.items()}


def targets(scope: Scope, filters: ReportFilters) -> dict:
    """The programmes' targets, summed, with their stated bases (one query)."""
    programs = scope.program_queryset()
    if filters.program is not None:
        programs = programs.filter(pk=filters.program.pk)
    rows = list(programs.order_by("pk").values("target_participants", "target_new_exporters",
                                               "target_basis"))  # fmt: skip
    return {
        "participants": sum(r["target_participants"] for r in rows),
        "new_exporters": sum(r["target_new_exporters"] for r in rows),
        "basis": sorted({r["target_basis"] for r in rows if r["target_basis"]}),
    }


def summary(scope: Scope, filters: ReportFilters | None = None) -> dict:
    """Every indicator for the viewer's programmes, with the targets and the time it was read."""
    filters = filters or ReportFilters()
    groups = _collect(scope, filters, None)
    result = _indicators(groups.get(None, {}))
    result["as_of"] = timezone.now()
    result["targets"] = targets(scope, filters)
    return result


def _labels(by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if by == "province":
        rows = Province.objects.filter(code_kemendagri__in=keys)
        return {r.code_kemendagri: r.name for r in rows}
    if by == "regency":
        rows = Regency.objects.filter(code_kemendagri__in=keys)
        return {r.code_kemendagri: r.name for r in rows}
    if by == "sector":
        return {r.code: r.name for r in Sector.objects.filter(code__in=keys)}
    if by == "funder":
        return {r.pk: str(r) for r in Funder.objects.filter(pk__in=keys)}
    if by == "level":
        return {k: str(Level(k).label) for k in keys if k in Level.values}
    if by == "size":
        return dict(Enterprise.SizeClass.choices)
    if by == "owner_gender":
        return dict(Enterprise.Gender.choices)
    if by == "export_channel":
        return dict(ExportRecord.Channel.choices)
    if by == "destination":
        from django_countries import countries

        return {k: countries.name(k) for k in keys}
    return {}


def breakdown(scope: Scope, filters: ReportFilters | None, by: str) -> list[dict]:
    """The indicators per group of ``by``; a group of fewer than five enterprises shows its
    numbers as null and ``suppressed`` true. Indicators that have no such key (attendance
    by destination) are zero."""
    if by not in BREAKDOWN_KEYS:
        raise ValueError(by)
    filters = filters or ReportFilters()
    groups = _collect(scope, filters, by)
    labels = _labels(by, groups.keys())
    rows = []
    for key in sorted(groups, key=lambda k: (k is None, str(k))):
        raw = groups[key]
        enterprises = raw.get("_enterprises", 0)
        suppressed = enterprises < SUPPRESSION_THRESHOLD
        indicators = _indicators(raw)
        rows.append(
            {
                "key": "" if key is None else str(key),
                "label": str(labels.get(key, "")) if key is not None else str(_("Not recorded")),
                "suppressed": suppressed,
                "enterprises": None if suppressed else enterprises,
                **(_suppressed(indicators) if suppressed else indicators),
            }
        )
    return rows


TRUNCATE = {"month": TruncMonth, "quarter": TruncQuarter, "semester": TruncQuarter,
            "year": TruncYear}  # fmt: skip


def _period_label(start: dt.date, interval: str) -> str:
    if interval == "month":
        return f"{start:%Y-%m}"
    if interval == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if interval == "semester":
        return f"{start.year}-S{1 if start.month <= 6 else 2}"
    return f"{start.year}"


def timeseries(scope: Scope, filters: ReportFilters | None, metric: str, interval: str) -> list:
    """One metric per period, oldest first (one query)."""
    if metric not in TIMESERIES_METRICS:
        raise ValueError(metric)
    if interval not in INTERVALS:
        raise ValueError(interval)
    filters = filters or ReportFilters()
    if metric == "enrollments":
        qs = base("enrollment", scope, filters, date="enrolled_at").filter(
            enrolled_at__isnull=False
        )
        date, aggregates = "enrolled_at", {"value": Count("pk")}
    elif metric == "completions":
        qs = base("enrollment", scope, filters, date="ended_at").filter(status="completed")
        date, aggregates = "ended_at", {"value": Count("pk")}
    elif metric == "certificates":
        qs, date, aggregates = base("certificate", scope, filters), "issue_date", {
            "value": Count("pk")}  # fmt: skip
    elif metric == "new_exporters":
        qs = base("graduation", scope, filters).filter(revoked_at__isnull=True)
        date, aggregates = "graduated_on", {"value": Count("enterprise_id", distinct=True)}
    else:
        qs = base("export", scope, filters).filter(status=ExportRecord.Status.VERIFIED)
        date = "export_date"
        aggregates = {"value": Sum("value_idr"), "value_usd": Sum("value_usd")}
    rows = qs.annotate(period=TRUNCATE[interval](date)).values("period").annotate(**aggregates)
    points: dict[str, dict] = {}
    for row in rows.order_by("period"):
        start = row["period"]
        if isinstance(start, dt.datetime):
            start = timezone.localdate(start)
        label = _period_label(start, interval)
        point = points.setdefault(label, {"period": label, "value": 0})
        point["value"] += row["value"] or 0
        if metric == "export_value":
            point["value_usd"] = point.get("value_usd", 0) + (row["value_usd"] or 0)
    result = list(points.values())
    for point in result:
        if metric == "export_value":
            point["value"] = int(point["value"])
            point["value_usd"] = str(Decimal(point["value_usd"]).quantize(Decimal("0.01")))
    return result


def new_exporter_rows(scope: Scope, filters: ReportFilters | None = None) -> QuerySet:
    """New exporters whose enterprise consented to share its data with funders, with their
    first export; the others still count in every aggregate."""
    filters = filters or ReportFilters()
    return (
        base("graduation", scope, filters)
        .filter(revoked_at__isnull=True, enterprise__data_sharing_consent_at__isnull=False)
        .select_related("enterprise", "enterprise__regency", "enterprise__sector", "export_record")
        .distinct()
        .order_by("graduated_on", "pk")
    )
