"""OfficeReach follows the rows that grant it: registration and enrollment, one row at a time,
in bulk, by update and by deletion; the staff's enterprise list reads it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import reach, selectors
from accounts.models import Enterprise, OfficeReach
from cohorts.models import Enrollment, Program
from tests import factories as f

pytestmark = pytest.mark.django_db


def pairs(*enterprises) -> set[tuple[int, int]]:
    rows = OfficeReach.objects.all()
    if enterprises:
        rows = rows.filter(enterprise__in=enterprises)
    return set(rows.values_list("office_id", "enterprise_id"))


def granted() -> set[tuple[int, int]]:
    """What the rows grant now, computed from scratch with SQL of its own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT registered_by_id, id FROM accounts_enterprise"
            " UNION SELECT p.office_id, e.enterprise_id FROM cohorts_enrollment e"
            " JOIN cohorts_program p ON p.id = e.program_id"
        )
        return set(cursor.fetchall())


def test_registering_an_enterprise_reaches_its_office(office_lampung):
    enterprise = f.EnterpriseFactory(registered_by=office_lampung)
    assert pairs(enterprise) == {(office_lampung.pk, enterprise.pk)}


def test_an_enrollment_in_another_offices_programme_reaches_that_office_until_it_is_deleted(
    enterprise_a, program_jateng, office_lampung, office_jateng
):
    first = f.EnrollmentFactory(enterprise=enterprise_a, program=program_jateng)
    second_stage = f.StageFactory(program=program_jateng, number=2)
    second = f.EnrollmentFactory(
        enterprise=enterprise_a, program=program_jateng, stage=second_stage
    )
    both = {(office_lampung.pk, enterprise_a.pk), (office_jateng.pk, enterprise_a.pk)}
    assert pairs(enterprise_a) == both
    first.delete()
    assert pairs(enterprise_a) == both  # the second enrollment still grants it
    second.delete()
    assert pairs(enterprise_a) == {(office_lampung.pk, enterprise_a.pk)}


def test_handing_an_enterprise_over_moves_its_reach_by_save_and_by_update(
    enterprise_a, enterprise_b, office_lampung, office_jateng
):
    enterprise = Enterprise.objects.get(pk=enterprise_a.pk)
    enterprise.registered_by = office_jateng
    enterprise.save()
    assert pairs(enterprise_a) == {(office_jateng.pk, enterprise_a.pk)}
    Enterprise.objects.filter(pk=enterprise_b.pk).update(registered_by=office_jateng)
    assert pairs(enterprise_b) == {(office_jateng.pk, enterprise_b.pk)}
    # a save that leaves the office alone does not touch the reach
    enterprise = Enterprise.objects.get(pk=enterprise_a.pk)
    enterprise.name = "Kopi Lampung Raya"
    with CaptureQueriesContext(connection) as queries:
        enterprise.save()
    assert not [q for q in queries if "accounts_officereach" in q["sql"]]


def test_bulk_creates_and_updates_keep_the_reach(office_lampung, office_jateng, program_jateng):
    enterprises = Enterprise.objects.bulk_create(
        [
            f.EnterpriseFactory.build(registered_by=office_lampung, name=f"Usaha {i}")
            for i in range(3)
        ]
    )
    assert pairs(*enterprises) == {(office_lampung.pk, e.pk) for e in enterprises}
    stage = f.StageFactory(program=program_jateng)
    enrollments = Enrollment.objects.bulk_create(
        [Enrollment(enterprise=e, program=program_jateng, stage=stage) for e in enterprises[:2]]
    )
    assert (office_jateng.pk, enterprises[0].pk) in pairs()
    assert (office_jateng.pk, enterprises[2].pk) not in pairs()
    # an enrollment moved to another enterprise takes the reach with it
    Enrollment.objects.filter(pk=enrollments[1].pk).update(enterprise=enterprises[2])
    assert (office_jateng.pk, enterprises[1].pk) not in pairs()
    assert (office_jateng.pk, enterprises[2].pk) in pairs()
    assert pairs() == granted()


def test_moving_a_programme_to_another_office_moves_its_participants_reach(
    enterprise_jateng, program_jateng, office_lampung, office_jateng
):
    f.EnrollmentFactory(enterprise=enterprise_jateng, program=program_jateng)
    program = Program.objects.get(pk=program_jateng.pk)
    program.office = office_lampung
    program.save()
    assert pairs(enterprise_jateng) == {
        (office_jateng.pk, enterprise_jateng.pk),  # registered there
        (office_lampung.pk, enterprise_jateng.pk),  # its programme's office now
    }
    assert pairs() == granted()


def test_refresh_puts_back_what_the_rows_grant(enterprise_a, office_lampung, office_jateng):
    OfficeReach.objects.all().delete()
    OfficeReach.objects.create(office=office_jateng, enterprise=enterprise_a)
    reach.refresh([enterprise_a.pk])
    assert pairs() == {(office_lampung.pk, enterprise_a.pk)}


def test_the_staff_list_follows_the_reach(
    client, enterprise_a, enterprise_jateng, program_jateng, staff_jateng, staff_lampung
):
    visible = selectors.enterprises_visible_to
    assert set(visible(staff_jateng)) == {enterprise_jateng}
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, program=program_jateng)
    assert set(visible(staff_jateng)) == {enterprise_jateng, enterprise_a}
    assert set(visible(staff_lampung)) == {enterprise_a}
    client.force_login(staff_jateng)
    page = client.get(reverse("admin:accounts_enterprise_changelist")).content.decode()
    assert "Kopi Lampung Jaya" in page
    enrollment.delete()
    page = client.get(reverse("admin:accounts_enterprise_changelist")).content.decode()
    assert "Kopi Lampung Jaya" not in page


def test_bulk_update_moves_the_reach_with_the_rows(
    enterprise_a, enterprise_jateng, program_jateng, office_jateng
):
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, program=program_jateng)
    enrollment.enterprise = enterprise_jateng
    Enrollment.objects.bulk_update([enrollment], ["enterprise"])
    assert (office_jateng.pk, enterprise_a.pk) not in pairs()
    assert pairs() == granted()
