"""Applications and selection: the checklist, the readiness score, select and reject."""

import pytest
from django.core.exceptions import ValidationError

from accounts import selectors as account_selectors
from cohorts import selectors
from cohorts.models import Enrollment, Level
from cohorts.services import seats, selection
from tests import factories as f

CRITERIA = {
    "has_nib": True,
    "continuous_production": True,
    "sufficient_capacity": False,
    "committed": True,
}


def test_staff_register_an_application_on_behalf_of_an_enterprise(
    enterprise_a, stage_lampung, staff_lampung
):
    enrollment = selection.enrollment_apply(
        enterprise=enterprise_a,
        stage=stage_lampung,
        actor=staff_lampung,
        readiness_score=55,
        site_visit_notes="  Produksi harian, kemasan belum berlabel.  ",
        **CRITERIA,
    )
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED
    assert enrollment.program == stage_lampung.program
    assert (enrollment.has_nib, enrollment.sufficient_capacity) == (True, False)
    assert enrollment.suggested_level == Level.MENENGAH
    assert enrollment.site_visit_notes == "Produksi harian, kemasan belum berlabel."
    assert enrollment.applied_by == staff_lampung
    assert enrollment.history.get().history_user == staff_lampung


def test_an_owner_applies_for_their_own_enterprise(enterprise_a, participant_a, stage_lampung):
    enrollment = selection.enrollment_apply(
        enterprise=enterprise_a, stage=stage_lampung, actor=participant_a, **CRITERIA
    )
    assert enrollment.applied_by == participant_a
    assert enrollment.suggested_level == ""


def test_an_owner_cannot_apply_for_another_enterprise(enterprise_b, participant_a, stage_lampung):
    with pytest.raises(ValidationError, match="your own enterprise"):
        selection.enrollment_apply(
            enterprise=enterprise_b, stage=stage_lampung, actor=participant_a, **CRITERIA
        )
    assert not Enrollment.objects.exists()


def test_staff_of_another_office_cannot_register_an_application(
    enterprise_a, stage_lampung, staff_jateng
):
    with pytest.raises(ValidationError):
        selection.enrollment_apply(
            enterprise=enterprise_a, stage=stage_lampung, actor=staff_jateng, **CRITERIA
        )
    assert not Enrollment.objects.exists()


def test_staff_cannot_enrol_an_enterprise_their_office_cannot_read(
    enterprise_jateng, stage_lampung, staff_lampung
):
    with pytest.raises(ValidationError, match="only enrol enterprises it registered"):
        selection.enrollment_apply(
            enterprise=enterprise_jateng, stage=stage_lampung, actor=staff_lampung, **CRITERIA
        )
    assert not Enrollment.objects.exists()
    # nor has the attempt widened what Lampung's staff can read
    assert (
        not account_selectors.enterprises_visible_to(staff_lampung)
        .filter(pk=enterprise_jateng.pk)
        .exists()
    )


def test_staff_enrol_an_enterprise_of_another_office_taking_part_in_their_programmes(
    enterprise_jateng, stage_lampung, program_lampung, staff_lampung
):
    earlier = f.StageFactory(program=program_lampung, number=2)
    f.EnrollmentFactory(enterprise=enterprise_jateng, stage=earlier, status="rejected")
    enrollment = selection.enrollment_apply(
        enterprise=enterprise_jateng, stage=stage_lampung, actor=staff_lampung, **CRITERIA
    )
    assert enrollment.status == Enrollment.Status.APPLIED


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (None, ""),
        (0, "pemula"),
        (39, "pemula"),
        (40, "menengah"),
        (69, "menengah"),
        (70, "mahir"),
        (100, "mahir"),
    ],
)
def test_the_readiness_score_suggests_a_level(score, level):
    assert selection.suggested_level_for_score(score) == level


def test_a_score_above_100_is_refused(enterprise_a, stage_lampung, staff_lampung):
    with pytest.raises(ValidationError) as error:
        selection.enrollment_apply(
            enterprise=enterprise_a,
            stage=stage_lampung,
            actor=staff_lampung,
            readiness_score=120,
            **CRITERIA,
        )
    assert "readiness_score" in error.value.message_dict
    assert not Enrollment.objects.exists()


def test_a_second_active_enrollment_in_the_stage_is_refused_naming_the_class(
    enterprise_a, stage_lampung, small_class, staff_lampung, selected
):
    enrollment = selected(enterprise_a)
    seats.enrollment_admit(enrollment=enrollment, cohort=small_class, actor=staff_lampung)
    with pytest.raises(ValidationError, match="Pemula A"):
        selection.enrollment_apply(
            enterprise=enterprise_a, stage=stage_lampung, actor=staff_lampung, **CRITERIA
        )
    assert Enrollment.objects.filter(enterprise=enterprise_a).count() == 1


def test_a_second_application_before_any_class_is_refused(
    enterprise_a, stage_lampung, staff_lampung
):
    selection.enrollment_apply(
        enterprise=enterprise_a, stage=stage_lampung, actor=staff_lampung, **CRITERIA
    )
    with pytest.raises(ValidationError, match="already applied"):
        selection.enrollment_apply(
            enterprise=enterprise_a, stage=stage_lampung, actor=staff_lampung, **CRITERIA
        )
    assert Enrollment.objects.count() == 1


def test_the_same_enterprise_may_apply_to_another_stage(
    enterprise_a, stage_lampung, program_lampung, staff_lampung
):
    other_stage = f.StageFactory(program=program_lampung, number=2)
    for stage in (stage_lampung, other_stage):
        selection.enrollment_apply(
            enterprise=enterprise_a, stage=stage, actor=staff_lampung, **CRITERIA
        )
    assert Enrollment.objects.filter(enterprise=enterprise_a).count() == 2


@pytest.mark.parametrize("ended", ["rejected", "withdrawn", "removed"])
def test_an_ended_enrollment_does_not_block_a_new_application(
    enterprise_a, stage_lampung, staff_lampung, ended
):
    f.EnrollmentFactory(enterprise=enterprise_a, stage=stage_lampung, status=ended)
    enrollment = selection.enrollment_apply(
        enterprise=enterprise_a, stage=stage_lampung, actor=staff_lampung, **CRITERIA
    )
    assert enrollment.status == Enrollment.Status.APPLIED


def test_staff_select_an_application(enterprise_a, stage_lampung, staff_lampung):
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, stage=stage_lampung)
    selection.enrollment_select(enrollment=enrollment, actor=staff_lampung, reason="Memenuhi")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.SELECTED
    assert enrollment.history.first().history_user == staff_lampung


def test_selecting_twice_is_refused(enterprise_a, stage_lampung, staff_lampung):
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, stage=stage_lampung)
    selection.enrollment_select(enrollment=enrollment, actor=staff_lampung)
    with pytest.raises(ValidationError):
        selection.enrollment_select(enrollment=enrollment, actor=staff_lampung)


def test_staff_reject_with_a_reason(enterprise_a, stage_lampung, staff_lampung):
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, stage=stage_lampung)
    selection.enrollment_reject(
        enrollment=enrollment, actor=staff_lampung, reason="Belum produksi rutin"
    )
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.REJECTED
    assert enrollment.decision_reason == "Belum produksi rutin"


def test_a_rejection_without_a_reason_changes_nothing(enterprise_a, stage_lampung, staff_lampung):
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, stage=stage_lampung)
    with pytest.raises(ValidationError) as error:
        selection.enrollment_reject(enrollment=enrollment, actor=staff_lampung, reason="   ")
    assert "reason" in error.value.message_dict
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED


def test_an_enrolled_enterprise_cannot_be_rejected(
    enterprise_a, small_class, staff_lampung, selected
):
    enrollment = selected(enterprise_a, cohort=small_class)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.ENROLLED)
    with pytest.raises(ValidationError):
        selection.enrollment_reject(enrollment=enrollment, actor=staff_lampung, reason="x")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_staff_of_another_office_cannot_select(enterprise_a, stage_lampung, staff_jateng):
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, stage=stage_lampung)
    with pytest.raises(ValidationError, match="staff of this programme"):
        selection.enrollment_select(enrollment=enrollment, actor=staff_jateng)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED


def test_eligible_level_follows_completed_classes(enterprise_a, office_lampung):
    assert selectors.eligible_level(enterprise_a) == Level.PEMULA
    program = f.ProgramFactory(office=office_lampung)
    for level, expected in [
        (Level.PEMULA, Level.MENENGAH),
        (Level.MENENGAH, Level.MAHIR),
        (Level.MAHIR, Level.MAHIR),
    ]:
        cohort = f.CohortFactory(stage=f.StageFactory(program=program), level=level)
        f.EnrollmentFactory(
            enterprise=enterprise_a, cohort=cohort, status=Enrollment.Status.COMPLETED
        )
        assert selectors.eligible_level(enterprise_a) == expected


def test_an_unfinished_class_does_not_raise_the_eligible_level(enterprise_a):
    f.EnrollmentFactory(
        enterprise=enterprise_a, cohort=f.CohortFactory(), status=Enrollment.Status.ENROLLED
    )
    f.EnrollmentFactory(
        enterprise=enterprise_a, cohort=f.CohortFactory(), status=Enrollment.Status.NOT_COMPLETED
    )
    assert selectors.eligible_level(enterprise_a) == Level.PEMULA
