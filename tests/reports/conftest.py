"""A world of two funders' programmes with every kind of event the indicators count, and the
expected numbers computed from the same plan in Python (never through the selectors)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Enterprise
from certifications.models import Case, Certificate, Scheme
from cohorts.models import Attendance, EnterpriseSnapshot, Level
from cohorts.services import exports
from tests import factories as f

NOW = timezone.now()
TODAY = timezone.localdate()

# (status, level) of each enterprise's enrollment in the Lampung programme, in order.
PLAN = [
    ("applied", Level.PEMULA),
    ("rejected", Level.PEMULA),
    ("enrolled", Level.PEMULA),
    ("completed", Level.PEMULA),
    ("completed", Level.PEMULA),
    ("not_completed", Level.PEMULA),
    ("withdrawn", Level.PEMULA),
    ("enrolled", Level.MENENGAH),
    ("completed", Level.MENENGAH),
    ("waitlisted", Level.PEMULA),
]
ADMITTED = {"enrolled", "completed", "not_completed", "withdrawn"}


@dataclass
class World:
    program_lampung: object
    program_jateng: object
    enterprises: list = field(default_factory=list)
    enrollments: list = field(default_factory=list)
    expected: dict = field(default_factory=dict)


def _enroll(enterprise, cohort, status, *, days_ago, has_nib=True):
    admitted = status in ADMITTED
    return f.EnrollmentFactory(
        enterprise=enterprise,
        cohort=cohort,
        status=status,
        has_nib=has_nib,
        enrolled_at=NOW - dt.timedelta(days=days_ago) if admitted else None,
        ended_at=(
            NOW - dt.timedelta(days=5)
            if status in ("completed", "not_completed", "withdrawn")
            else None
        ),
    )


def report_export(enterprise, actor, *, days_ago, country, program=None, value=Decimal("500")):
    day = TODAY - dt.timedelta(days=days_ago)
    return exports.export_record_create(
        enterprise=enterprise,
        actor=actor,
        program=program,
        export_date=day,
        channel="courier",
        airway_bill_number=f"AWB{enterprise.pk}{days_ago}{country}",
        destination_country=country,
        hs_code="09011110",
        value=value,
        currency="USD",
        exchange_rate=Decimal("16000"),
        exchange_rate_date=day,
        exchange_rate_source="JISDOR",
    )


@pytest.fixture
def world(
    funder_lpei,
    program_lampung,
    program_jateng,
    office_lampung,
    office_jateng,
    staff_lampung,
    lampung,
):
    sector_kopi = f.SectorFactory(code="kopi", name_id="Kopi", name_en="Coffee")
    sector_batik = f.SectorFactory(code="batik", name_id="Batik", name_en="Batik")
    regency = f.RegencyFactory(province=lampung, code_kemendagri="18.71", name_id="Bandar Lampung")
    stage = f.StageFactory(program=program_lampung)
    pemula = f.CohortFactory(stage=stage, level=Level.PEMULA)
    menengah = f.CohortFactory(stage=stage, level=Level.MENENGAH)
    w = World(program_lampung=program_lampung, program_jateng=program_jateng)
    for i, (status, level) in enumerate(PLAN):
        enterprise = f.EnterpriseFactory(
            registered_by=office_lampung,
            regency=regency,
            sector=sector_kopi if i % 2 == 0 else sector_batik,
            women_owned=i % 3 == 0,
            women_led=i % 4 == 0,
            owner_gender="F" if i % 3 == 0 else "M",
            employees_women=i,
            employees_men=2,
            data_sharing_consent_at=NOW if i == 2 else None,
        )
        cohort = pemula if level == Level.PEMULA else menengah
        w.enterprises.append(enterprise)
        w.enrollments.append(_enroll(enterprise, cohort, status, days_ago=60, has_nib=i != 3))
    # The intermediate enrollments (7, 8) come after a completed beginner class elsewhere.
    earlier = f.CohortFactory(stage=f.StageFactory(program=program_lampung), level=Level.PEMULA)
    for i in (7,):
        w.enrollments.append(_enroll(w.enterprises[i], earlier, "completed", days_ago=200))

    # Attendance: two held sessions of the beginner class, one cancelled.
    held = [f.SessionFactory(cohort=pemula, starts_at=NOW - dt.timedelta(days=d)) for d in (20, 13)]
    cancelled = f.SessionFactory(
        cohort=pemula, starts_at=NOW - dt.timedelta(days=6), cancelled_at=NOW
    )
    marks = []
    for session in held:
        for enrollment, status in zip(
            w.enrollments[2:6], ["present", "present", "absent", "sick"], strict=True
        ):
            Attendance.objects.create(enrollment=enrollment, session=session, status=status)
            marks.append(status)
    Attendance.objects.create(enrollment=w.enrollments[2], session=cancelled, status="absent")

    # Certification: three requests, two granted (one suspended), one open.
    halal = f.SchemeFactory(code="halal-reg", family=Scheme.Family.HALAL)
    sni = f.SchemeFactory(code="sppt-sni", family=Scheme.Family.SNI)
    cases = [
        f.CaseFactory(
            enterprise=w.enterprises[3],
            scheme=halal,
            program=program_lampung,
            status=Case.Status.GRANTED,
            subsidy=2_000_000,
            cost=5_000_000,
            subsidy_funder=funder_lpei,
        ),
        f.CaseFactory(
            enterprise=w.enterprises[4],
            scheme=sni,
            program=program_lampung,
            status=Case.Status.GRANTED,
            subsidy=10_000_000,
            cost=20_000_000,
            subsidy_funder=funder_lpei,
        ),
        f.CaseFactory(
            enterprise=w.enterprises[8],
            scheme=halal,
            program=program_lampung,
            subsidy=1_500_000,
            cost=3_000_000,
            subsidy_funder=funder_lpei,
        ),
    ]
    Certificate.objects.create(case=cases[0], number="H-1", issue_date=TODAY - dt.timedelta(days=3))
    Certificate.objects.create(
        case=cases[1],
        number="S-1",
        issue_date=TODAY - dt.timedelta(days=2),
        expiry_date=TODAY + dt.timedelta(days=900),
        status=Certificate.Status.SUSPENDED,
    )

    # Exports. Enterprise 3 did not export at intake: it becomes a new exporter, then ships
    # again. Enterprise 4 already exported directly when it joined: never a new exporter,
    # but its new country counts as a new destination.
    already = w.enterprises[4]
    EnterpriseSnapshot.objects.create(
        enterprise=already,
        program=program_lampung,
        moment="intake",
        taken_on=TODAY - dt.timedelta(days=60),
        size_class="micro",
        export_status=Enterprise.ExportStatus.DIRECT,
        employees_women=1,
        employees_men=1,
    )
    EnterpriseSnapshot.objects.create(
        enterprise=w.enterprises[3],
        program=program_lampung,
        moment="intake",
        taken_on=TODAY - dt.timedelta(days=60),
        size_class="micro",
        export_status=Enterprise.ExportStatus.NONE,
        employees_women=2,
        employees_men=3,
    )
    EnterpriseSnapshot.objects.create(
        enterprise=w.enterprises[3],
        program=program_lampung,
        moment="completion",
        taken_on=TODAY - dt.timedelta(days=5),
        size_class="small",
        export_status=Enterprise.ExportStatus.INDIRECT,
    )
    first = report_export(w.enterprises[3], staff_lampung, days_ago=20, country="JP")
    again = report_export(
        w.enterprises[3], staff_lampung, days_ago=8, country="SG", value=Decimal("250")
    )
    old_hand = report_export(already, staff_lampung, days_ago=15, country="AU")
    unverified = report_export(w.enterprises[2], staff_lampung, days_ago=4, country="MY")
    for record in (first, again, old_hand):
        exports.export_verify(export_record=record, actor=staff_lampung)
    del unverified

    # Enterprise 2 sits in both funders' programmes when it first exports.
    both = w.enterprises[2]
    jstage = f.StageFactory(program=program_jateng)
    jcohort = f.CohortFactory(stage=jstage, level=Level.PEMULA)
    _enroll(both, jcohort, "enrolled", days_ago=50)
    shared = report_export(both, staff_lampung, days_ago=3, country="NL", program=program_lampung)
    exports.export_verify(export_record=shared, actor=staff_lampung)

    # A Jateng-only enterprise: counts for PASAR and nationally, never for LPEI.
    jateng_only = f.EnterpriseFactory(registered_by=office_jateng)
    _enroll(jateng_only, jcohort, "completed", days_ago=40)

    # --- expected numbers for the Lampung programme, from the plan ---
    plan = list(enumerate(PLAN))
    admitted = [i for i, (s, _) in plan if s in ADMITTED]
    ended = [i for i, (s, _) in plan if s in ("completed", "not_completed", "withdrawn")]
    w.expected = {
        "applicants": len(PLAN),
        "selected": sum(1 for _, (s, _) in plan if s not in ("applied", "rejected")),
        "enterprises_enrolled": len(admitted),
        "enrollments_by_level": {
            "beginner": sum(1 for i in admitted if PLAN[i][1] == Level.PEMULA) + 1,
            "intermediate": sum(1 for i in admitted if PLAN[i][1] == Level.MENENGAH),
            "advanced": 0,
        },
        "completed_by_level": {
            "beginner": sum(1 for s, lv in PLAN if s == "completed" and lv == Level.PEMULA) + 1,
            "intermediate": sum(1 for s, lv in PLAN if s == "completed" and lv == Level.MENENGAH),
            "advanced": 0,
        },
        "dropouts": sum(1 for s, _ in PLAN if s == "withdrawn"),
        "completion_rate": round(
            (sum(1 for s, _ in PLAN if s == "completed") + 1) / (len(ended) + 1), 4
        ),
        "attendance_rate": round(marks.count("present") / len(marks), 4),
        "level_progressions": 1,  # enterprise 7: beginner completed, then intermediate
        "certification_cases_by_family": {"halal": 2, "sni": 1},
        "certificates_granted_by_family": {"halal": 1, "sni": 1},
        "certificates_granted_by_scheme": {"halal-reg": 1, "sppt-sni": 1},
        "certificates_active": 1,
        "nib_obtained": 1,  # enterprise 3 had none at selection and holds one now
        "new_exporters": 2,  # enterprises 3 and 2; not 4, which already exported
        "repeat_exporters": 1,  # enterprise 3 shipped again
        "new_destinations": 4,  # JP and SG of 3, AU of 4, NL of 2: each a first to that country
        "export_value_idr": 500 * 16000 + 250 * 16000 + 500 * 16000 + 500 * 16000,
        "export_value_usd": "1750.00",
        "destination_countries": 4,
        "women_owned_share": round(sum(1 for i in admitted if i % 3 == 0) / len(admitted), 4),
        "women_led_share": round(sum(1 for i in admitted if i % 4 == 0) / len(admitted), 4),
        "employees_women": {"intake": 1 + 2, "latest": sum(admitted)},
        "employees_men": {"intake": 1 + 3, "latest": 2 * len(admitted)},
        "size_class_upgrades": 1,
        "subsidy_idr": 2_000_000 + 10_000_000 + 1_500_000,
    }
    return w
