"""One sample row of every model the admin shows, all inside the Lampung office's scope,
and a helper that turns an admin form page into the POST data that would submit it."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Enterprise, PersonalDataAct
from certifications.models import CaseDocument, CaseEvent, Certificate
from cohorts.models import (
    Attendance,
    CoachingVisit,
    Enrollment,
    EnterpriseSnapshot,
    Graduation,
)
from notifications.models import Reminder
from portal.models import Invitation
from reports.models import EnterpriseDataPull, FunderAPIKey, ReportSnapshot
from tests import factories as f


@pytest.fixture
def lampung_world(
    lampung,
    office_lampung,
    funder_lpei,
    program_lampung,
    enterprise_a,
    participant_a,
    staff_lampung,
):
    """Builders keyed by model label; each returns a row staff_lampung may see."""
    cache: dict = {}

    def once(key, build):
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def stage():
        return once("stage", lambda: f.StageFactory(program=program_lampung, number=1))

    def cohort():
        return once("cohort", lambda: f.CohortFactory(stage=stage(), name="Kelas Pemula A"))

    def enrollment():
        return once(
            "enrollment",
            lambda: f.EnrollmentFactory(
                enterprise=enterprise_a, cohort=cohort(), status=Enrollment.Status.ENROLLED
            ),
        )

    def session():
        return once("session", lambda: f.SessionFactory(cohort=cohort()))

    def export_record():
        return once(
            "export",
            lambda: f.ExportRecordFactory(enterprise=enterprise_a, program=program_lampung),
        )

    def case():
        return once(
            "case",
            lambda: f.CaseFactory(
                enterprise=enterprise_a, office=office_lampung, program=program_lampung
            ),
        )

    def certificate():
        def build():
            granted = case()
            granted.status = "granted"
            granted.save()
            return Certificate.objects.create(
                case=granted, number="SPPT-SNI-0001", issue_date=timezone.localdate()
            )

        return once("certificate", build)

    def graduation():
        made = Graduation.objects.create(
            enterprise=enterprise_a,
            export_record=export_record(),
            graduated_on=today - dt.timedelta(days=1),
        )
        made.programs.add(program_lampung)
        return made

    def user_model_sample():
        return participant_a

    today = timezone.localdate()
    builders = {
        "accounts.province": lambda: lampung,
        "accounts.regency": lambda: f.RegencyFactory(province=lampung),
        "accounts.sector": lambda: f.SectorFactory(),
        "accounts.tradeoffice": lambda: office_lampung,
        "accounts.funder": lambda: funder_lpei,
        "reports.funderapikey": lambda: FunderAPIKey.objects.create_key(
            funder=funder_lpei, name="Sistem pelaporan"
        )[0],
        "reports.enterprisedatapull": lambda: EnterpriseDataPull.objects.create(
            endpoint="new-exporters"
        ),
        "reports.reportsnapshot": lambda: ReportSnapshot.objects.create(
            name="Semester 1", funder=funder_lpei, data={}
        ),
        "accounts.enterprise": lambda: enterprise_a,
        "accounts.product": lambda: f.ProductFactory(enterprise=enterprise_a),
        "accounts.user": user_model_sample,
        "notifications.reminder": lambda: Reminder.objects.create(
            kind="test",
            recipient=staff_lampung,
            title="Pengingat",
            body="Isi",
            unique_key="test-reminder-1",
        ),
        "cohorts.program": lambda: program_lampung,
        "cohorts.funding": lambda: program_lampung.fundings.first(),
        "cohorts.stage": stage,
        "cohorts.cohort": cohort,
        "cohorts.enrollment": enrollment,
        "cohorts.session": session,
        "cohorts.attendance": lambda: Attendance.objects.create(
            enrollment=enrollment(), session=session(), status=Attendance.Status.PRESENT
        ),
        "cohorts.coachingvisit": lambda: CoachingVisit.objects.create(
            enrollment=enrollment(), coach="Pak Budi", visit_date=today
        ),
        "cohorts.enterprisesnapshot": lambda: EnterpriseSnapshot.objects.create(
            enterprise=enterprise_a,
            program=program_lampung,
            moment=EnterpriseSnapshot.Moment.INTAKE,
            taken_on=today,
            size_class=Enterprise.SizeClass.MICRO,
            export_status=Enterprise.ExportStatus.NONE,
        ),
        "cohorts.exportrecord": export_record,
        "portal.invitation": lambda: Invitation.objects.create(
            enterprise=enterprise_a,
            email="baru@kopi.test",
            role="owner",
            token_hash="0" * 64,
            expires_at=timezone.now() + dt.timedelta(days=7),
        ),
        "cohorts.graduation": graduation,
        "certifications.scheme": lambda: f.SchemeFactory(),
        "certifications.case": case,
        "certifications.certificate": certificate,
        "certifications.casedocument": lambda: CaseDocument.objects.create(
            case=case(), title="Surat permohonan", file=ContentFile(b"%PDF-1.4", name="a.pdf")
        ),
        "certifications.caseevent": lambda: CaseEvent.objects.create(
            case=case(), from_status="requested", to_status="preparing"
        ),
        "accounts.personaldataact": lambda: PersonalDataAct.objects.create(
            kind=PersonalDataAct.Kind.ANONYMISE, enterprise=enterprise_a, actor=staff_lampung
        ),
        # sign-in security: a lock, the failure log, the access log, a paired phone
        "axes.accessattempt": lambda: AccessAttempt.objects.create(
            username=staff_lampung.email,
            ip_address="203.0.113.7",
            failures_since_start=3,
            user_agent="test",
            path_info="/masuk/",
            get_data="",
            post_data="",
        ),
        "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(
            username=staff_lampung.email,
            ip_address="203.0.113.7",
            user_agent="test",
            path_info="/masuk/",
        ),
        "axes.accesslog": lambda: AccessLog.objects.create(
            username=staff_lampung.email,
            ip_address="203.0.113.7",
            user_agent="test",
            path_info="/masuk/",
        ),
        "otp_totp.totpdevice": lambda: TOTPDevice.objects.create(
            user=staff_lampung, name="ponsel", confirmed=True
        ),
    }

    def sample(model):
        label = model._meta.label_lower
        if label == "rest_framework_api_key.apikey":
            return model.objects.create_key(name="Mitra")[0]
        assert label in builders, f"no sample row for {label}: add one to lampung_world"
        return builders[label]()

    return sample


def form_data(response) -> dict:
    """The POST data that submits an admin add or change page as it is shown."""
    data: dict = {}

    def add_form(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if field.disabled:
                continue
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is None:
                data[key] = ""
            else:
                data[key] = str(value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data
