"""Finding and removing the demo: its offices and funders with everything that hangs from them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from accounts.models import (
    Enterprise,
    EnterpriseMembership,
    Funder,
    FunderMembership,
    KbliCode,
    OfficeMembership,
    OfficeReach,
    Product,
    TradeOffice,
    User,
)
from certifications.models import Case, CaseDocument, CaseEvent, Certificate
from cohorts.models import (
    Attendance,
    CoachingVisit,
    Cohort,
    Enrollment,
    EnterpriseSnapshot,
    ExportRecord,
    Funding,
    Graduation,
    Program,
    Session,
    Stage,
)
from notifications.models import Reminder
from seeds.demo.common import (
    DEMO_EMAILS,
    DEMO_FUNDERS,
    DEMO_OFFICES,
    LAMPUNG_OFFICE,
    LAMPUNG_PROGRAM,
)
from seeds.demo.outbox import OUTBOX_EMAILS


def demo_exists() -> bool:
    return Program.objects.filter(office__name=LAMPUNG_OFFICE, name=LAMPUNG_PROGRAM).exists()


def _raw_delete(queryset) -> None:
    # A single DELETE without loading rows: the demo may hold 100,000 synthetic enterprises,
    # and the history signal would otherwise write a "deleted" history row for each of them.
    queryset._raw_delete(queryset.db)


@transaction.atomic
def demo_delete() -> None:
    """Remove the demo offices and funders with everything that hangs from them."""
    offices = TradeOffice.objects.filter(name__in=DEMO_OFFICES)
    funders = Funder.objects.filter(name__in=DEMO_FUNDERS)
    enterprises = Enterprise.objects.filter(registered_by__in=offices)
    programs = Program.objects.filter(office__in=offices)
    enrollments = Enrollment.objects.filter(Q(enterprise__in=enterprises) | Q(program__in=programs))
    sessions = Session.objects.filter(cohort__stage__program__in=programs)
    attendance = Attendance.objects.filter(Q(enrollment__in=enrollments) | Q(session__in=sessions))
    cases = Case.objects.filter(Q(office__in=offices) | Q(enterprise__in=enterprises))
    certificates = Certificate.objects.filter(case__in=cases)
    exports = ExportRecord.objects.filter(Q(enterprise__in=enterprises) | Q(program__in=programs))
    # Listed now: a graduation naming a demo programme is found through the rows linking them,
    # which are deleted before it.
    graduations = Graduation.objects.filter(
        pk__in=list(
            Graduation.objects.filter(Q(enterprise__in=enterprises) | Q(programs__in=programs))
            .values_list("pk", flat=True)
            .distinct()
        )
    )

    for model, queryset in (
        (Enrollment, enrollments),
        (Case, cases),
        (ExportRecord, exports),
        (Certificate, certificates),
        (Session, sessions),
        (Graduation, graduations),
    ):
        Reminder.objects.filter(
            subject_type=ContentType.objects.get_for_model(model),
            subject_id__in=queryset.values("pk"),
        ).delete()
    for document in CaseDocument.objects.filter(case__in=cases):
        document.file.delete(save=False)

    # History first, while the live rows still say which history belongs to the demo.
    for queryset in (graduations, exports, certificates, cases, attendance, enrollments):
        _raw_delete(queryset.model.history.filter(id__in=queryset.values("pk")))
    _raw_delete(Enterprise.history.filter(id__in=enterprises.values("pk")))

    _raw_delete(Graduation.programs.through.objects.filter(graduation__in=graduations))
    _raw_delete(graduations)
    _raw_delete(exports)
    _raw_delete(CaseEvent.objects.filter(case__in=cases))
    _raw_delete(CaseDocument.objects.filter(case__in=cases))
    _raw_delete(Case.products.through.objects.filter(case__in=cases))
    Case.objects.filter(renewal_of__in=certificates).update(renewal_of=None)
    _raw_delete(certificates)
    _raw_delete(cases)
    _raw_delete(attendance)
    _raw_delete(CoachingVisit.objects.filter(enrollment__in=enrollments))
    _raw_delete(
        EnterpriseSnapshot.objects.filter(Q(enterprise__in=enterprises) | Q(program__in=programs))
    )
    _raw_delete(enrollments)
    _raw_delete(sessions)
    _raw_delete(Cohort.objects.filter(stage__program__in=programs))
    _raw_delete(Stage.objects.filter(program__in=programs))
    _raw_delete(Funding.objects.filter(Q(program__in=programs) | Q(funder__in=funders)))
    _raw_delete(programs)
    _raw_delete(Product.objects.filter(enterprise__in=enterprises))
    _raw_delete(KbliCode.objects.filter(enterprise__in=enterprises))
    _raw_delete(EnterpriseMembership.objects.filter(enterprise__in=enterprises))
    _raw_delete(OfficeReach.objects.filter(Q(enterprise__in=enterprises) | Q(office__in=offices)))
    _raw_delete(enterprises)
    _raw_delete(OfficeMembership.objects.filter(office__in=offices))
    _raw_delete(FunderMembership.objects.filter(funder__in=funders))
    _raw_delete(offices)
    _raw_delete(funders)
    User.objects.filter(email__in=(*DEMO_EMAILS, *OUTBOX_EMAILS)).delete()
