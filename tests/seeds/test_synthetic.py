import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import Enterprise, OfficeReach, Product
from certifications.models import Case
from cohorts.models import Attendance, Cohort, Enrollment, ExportRecord, Graduation, Session
from seeds.synthetic import SYNTHETIC_PROGRAM_PREFIX
from tests.accounts.test_reach import granted
from tests.seeds.conftest import DEMO_DAY

pytestmark = pytest.mark.django_db


def test_500_synthetic_enterprises_in_the_stated_proportions(demo):
    before = {m: m.history.count() for m in (Enterprise, Enrollment, Attendance, Case)}
    out = StringIO()
    call_command("seed_demo", enterprises=500, today=DEMO_DAY, stdout=out, stderr=StringIO())

    enterprises = Enterprise.objects.filter(nib__startswith="8")
    assert enterprises.count() == 500
    assert Product.objects.filter(enterprise__in=enterprises).count() == 750
    enrollments = Enrollment.objects.filter(program__name__startswith=SYNTHETIC_PROGRAM_PREFIX)
    assert enrollments.values("enterprise").distinct().count() == 200
    assert enrollments.count() > 200  # some take part in two stages
    cases = Case.objects.filter(enterprise__in=enterprises)
    assert cases.count() == 50
    assert cases.filter(events__isnull=False).distinct().count() == 50
    exports = ExportRecord.objects.filter(enterprise__in=enterprises, status="verified")
    assert exports.count() == 15
    assert Graduation.objects.filter(enterprise__in=enterprises).count() == 15

    classes = Cohort.objects.filter(stage__program__name__startswith=SYNTHETIC_PROGRAM_PREFIX)
    for cohort in classes.annotate(n=Count("enrollments", distinct=True)):
        assert 1 <= cohort.n <= 20
    sessions = Session.objects.filter(cohort__in=classes)
    assert sessions.count() == 8 * classes.count()
    assert not sessions.filter(starts_at__gte=dt.datetime.combine(DEMO_DAY, dt.time(), dt.UTC))
    attendance = Attendance.objects.filter(enrollment__in=enrollments)
    assert attendance.count() == 8 * enrollments.count()

    assert Enterprise.history.count() - before[Enterprise] == 500
    assert Enrollment.history.count() - before[Enrollment] == enrollments.count()
    assert Attendance.history.count() - before[Attendance] == attendance.count()
    assert Case.history.count() - before[Case] == 50
    assert ExportRecord.history.filter(id__in=exports.values("pk")).count() == 15
    assert Graduation.history.filter(enterprise_id__in=enterprises.values("pk")).count() == 15
    assert "500" in out.getvalue()
    # the bulk inserts kept the offices' reach as the rows grant it
    assert set(OfficeReach.objects.values_list("office_id", "enterprise_id")) == granted()


def test_synthetic_runs_add_up(demo):
    call_command("seed_demo", enterprises=40, today=DEMO_DAY, stdout=StringIO(), stderr=StringIO())
    call_command("seed_demo", enterprises=40, today=DEMO_DAY, stdout=StringIO(), stderr=StringIO())
    assert Enterprise.objects.filter(nib__startswith="8").count() == 80


def test_a_negative_number_of_enterprises_is_refused(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", enterprises=-1, stdout=StringIO())
    assert not Enterprise.objects.exists()
