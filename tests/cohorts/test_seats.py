"""Seats: admission, the waiting list, seat offers and their expiry, capacity."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import EnterpriseMembership
from cohorts.models import Enrollment, Level
from cohorts.services import seats, selection
from cohorts.tasks import expire_seat_offers
from notifications.models import Reminder
from tests import factories as f

S = Enrollment.Status


def admit(enrollment, cohort, actor, **kwargs):
    return seats.enrollment_admit(enrollment=enrollment, cohort=cohort, actor=actor, **kwargs)


@pytest.fixture
def full_class(small_class, staff_lampung, selected, enterprise_a, enterprise_b):
    """The two seats taken by A and B; three more enterprises waiting in order."""
    for enterprise in (enterprise_a, enterprise_b):
        admit(selected(enterprise), small_class, staff_lampung)
    waiting = [admit(selected(), small_class, staff_lampung)[0] for _ in range(3)]
    return small_class, waiting


def statuses(cohort):
    return dict(Enrollment.objects.filter(cohort=cohort).values_list("enterprise__name", "status"))


def seats_held(cohort):
    return Enrollment.objects.filter(cohort=cohort, status__in=Enrollment.SEAT_STATUSES).count()


def test_admission_enrolls_while_seats_are_free_then_waitlists(
    small_class, staff_lampung, selected
):
    outcomes = [admit(selected(), small_class, staff_lampung)[1] for _ in range(4)]
    assert outcomes == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    waiting = Enrollment.objects.filter(cohort=small_class, status=S.WAITLISTED)
    assert sorted(waiting.values_list("waitlist_position", flat=True)) == [1, 2]
    assert seats_held(small_class) == 2


def test_admission_is_recorded_in_history_with_the_actor(small_class, staff_lampung, selected):
    enrollment, _outcome = admit(selected(), small_class, staff_lampung)
    latest = enrollment.history.first()
    assert latest.status == S.ENROLLED
    assert latest.history_user == staff_lampung
    assert latest.prev_record.status == S.SELECTED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.APPLIED, "not been selected"),
        (S.REJECTED, "not selected"),
        (S.WITHDRAWN, "Only a selected"),
    ],
)
def test_only_a_selected_application_is_admitted(
    small_class, staff_lampung, stage_lampung, status, message
):
    enrollment = f.EnrollmentFactory(stage=stage_lampung, status=status)
    with pytest.raises(ValidationError, match=message):
        admit(enrollment, small_class, staff_lampung)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.cohort) == (status, None)


def test_a_class_of_another_stage_is_refused(small_class, staff_lampung, program_lampung, selected):
    other = f.CohortFactory(stage=f.StageFactory(program=program_lampung, number=2))
    enrollment = selected()
    with pytest.raises(ValidationError, match="another stage"):
        admit(enrollment, other, staff_lampung)
    enrollment.refresh_from_db()
    assert enrollment.status == S.SELECTED


def test_staff_of_another_office_cannot_admit(small_class, staff_jateng, selected):
    enrollment = selected()
    with pytest.raises(ValidationError):
        admit(enrollment, small_class, staff_jateng)
    assert seats_held(small_class) == 0


def test_placement_above_the_eligible_level_needs_a_reason(stage_lampung, staff_lampung, selected):
    menengah = f.CohortFactory(stage=stage_lampung, level=Level.MENENGAH, name="Menengah A")
    enrollment = selected()
    with pytest.raises(ValidationError) as error:
        admit(enrollment, menengah, staff_lampung, override_reason="  ")
    assert "override_reason" in error.value.message_dict
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.cohort) == (S.SELECTED, None)

    enrollment, outcome = admit(
        enrollment, menengah, staff_lampung, override_reason="Sudah ekspor tidak langsung"
    )
    enrollment.refresh_from_db()
    assert outcome == "enrolled"
    assert enrollment.placement_override_reason == "Sudah ekspor tidak langsung"
    assert enrollment.placement_override_by == staff_lampung


def test_placement_at_the_eligible_level_needs_no_reason(
    enterprise_a, office_lampung, stage_lampung, staff_lampung, selected
):
    done = f.CohortFactory(stage=f.StageFactory(program=f.ProgramFactory(office=office_lampung)))
    f.EnrollmentFactory(enterprise=enterprise_a, cohort=done, status=S.COMPLETED)
    menengah = f.CohortFactory(stage=stage_lampung, level=Level.MENENGAH)
    enrollment, outcome = admit(selected(enterprise_a), menengah, staff_lampung)
    assert outcome == "enrolled"
    assert enrollment.placement_override_reason == ""


def test_a_withdrawal_offers_the_seat_to_the_first_waiting(
    full_class, staff_lampung, enterprise_a, participant_a, program_lampung, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    program_lampung.seat_offer_hours = 24
    program_lampung.save()
    cohort, waiting = full_class
    member = f.UserFactory()
    EnterpriseMembership.objects.create(
        user=member, enterprise=waiting[0].enterprise, role=EnterpriseMembership.Role.STAFF
    )
    owner = f.owner_of(waiting[0].enterprise)
    withdrawn = Enrollment.objects.get(enterprise=enterprise_a, stage=cohort.stage)

    seats.enrollment_withdraw(enrollment=withdrawn, actor=participant_a, reason="Sakit")

    withdrawn.refresh_from_db()
    first, second, third = (Enrollment.objects.get(pk=e.pk) for e in waiting)
    assert withdrawn.status == S.WITHDRAWN
    assert withdrawn.history.first().history_user == participant_a
    assert first.status == S.OFFERED
    assert first.offer_expires_at == timezone.now() + dt.timedelta(hours=24)
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)
    assert seats_held(cohort) == 2
    reminders = Reminder.objects.filter(kind=seats.SEAT_OFFER_REMINDER)
    assert {r.recipient for r in reminders} == {owner, member}
    assert {r.unique_key for r in reminders} == {
        f"seat-offer-{first.pk}-no1-{owner.pk}",
        f"seat-offer-{first.pk}-no1-{member.pk}",
    }
    assert all(r.subject == first for r in reminders)


def test_a_waiting_enterprise_withdrawing_closes_the_gap(full_class, staff_lampung):
    cohort, waiting = full_class
    seats.enrollment_withdraw(enrollment=waiting[0], actor=staff_lampung)
    positions = [Enrollment.objects.get(pk=e.pk).waitlist_position for e in waiting[1:]]
    assert positions == [1, 2]
    assert seats_held(cohort) == 2


def test_an_owner_cannot_withdraw_another_enterprise(full_class, participant_b, enterprise_a):
    cohort, _waiting = full_class
    enrollment = Enrollment.objects.get(enterprise=enterprise_a, cohort=cohort)
    with pytest.raises(ValidationError):
        seats.enrollment_withdraw(enrollment=enrollment, actor=participant_b)
    enrollment.refresh_from_db()
    assert enrollment.status == S.ENROLLED


def test_a_removal_needs_a_reason_and_frees_the_seat(full_class, staff_lampung, enterprise_b):
    cohort, waiting = full_class
    enrollment = Enrollment.objects.get(enterprise=enterprise_b, cohort=cohort)
    with pytest.raises(ValidationError) as error:
        seats.enrollment_remove(enrollment=enrollment, actor=staff_lampung, reason="")
    assert "reason" in error.value.message_dict
    enrollment.refresh_from_db()
    assert enrollment.status == S.ENROLLED

    seats.enrollment_remove(enrollment=enrollment, actor=staff_lampung, reason="Tidak hadir 3x")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.leaving_reason) == (S.REMOVED, "Tidak hadir 3x")
    assert Enrollment.objects.get(pk=waiting[0].pk).status == S.OFFERED


def test_a_participant_cannot_remove(full_class, participant_a, enterprise_a):
    cohort, _waiting = full_class
    enrollment = Enrollment.objects.get(enterprise=enterprise_a, cohort=cohort)
    with pytest.raises(ValidationError):
        seats.enrollment_remove(enrollment=enrollment, actor=participant_a, reason="x")
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.ENROLLED


def test_staff_reorder_the_waiting_list_and_the_offer_follows_it(
    full_class, staff_lampung, enterprise_a
):
    cohort, waiting = full_class
    seats.waitlist_move(enrollment=waiting[2], position=1, actor=staff_lampung)
    order = [Enrollment.objects.get(pk=e.pk).waitlist_position for e in waiting]
    assert order == [2, 3, 1]
    assert waiting[2].history.first().history_user == staff_lampung

    seats.waitlist_move(enrollment=waiting[2], position=99, actor=staff_lampung)
    assert [Enrollment.objects.get(pk=e.pk).waitlist_position for e in waiting] == [1, 2, 3]

    seats.waitlist_move(enrollment=waiting[1], position=1, actor=staff_lampung)
    enrolled = Enrollment.objects.get(enterprise=enterprise_a, cohort=cohort)
    seats.enrollment_withdraw(enrollment=enrolled, actor=staff_lampung)
    assert Enrollment.objects.get(pk=waiting[1].pk).status == S.OFFERED


def test_moving_to_position_zero_or_an_enrolled_one_is_refused(
    full_class, staff_lampung, enterprise_a
):
    cohort, waiting = full_class
    with pytest.raises(ValidationError):
        seats.waitlist_move(enrollment=waiting[1], position=0, actor=staff_lampung)
    enrolled = Enrollment.objects.get(enterprise=enterprise_a, cohort=cohort)
    with pytest.raises(ValidationError):
        seats.waitlist_move(enrollment=enrolled, position=1, actor=staff_lampung)
    assert [Enrollment.objects.get(pk=e.pk).waitlist_position for e in waiting] == [1, 2, 3]


@pytest.fixture
def offered(full_class, staff_lampung, enterprise_a):
    """A's withdrawal offers its seat to the first waiting enterprise, which has an owner."""
    cohort, waiting = full_class
    owner = f.owner_of(waiting[0].enterprise)
    seats.enrollment_withdraw(
        enrollment=Enrollment.objects.get(enterprise=enterprise_a, cohort=cohort),
        actor=staff_lampung,
    )
    return Enrollment.objects.get(pk=waiting[0].pk), owner, waiting


def test_the_owner_accepts_an_offer(offered):
    enrollment, owner, _waiting = offered
    seats.offer_accept(enrollment=enrollment, actor=owner)
    enrollment.refresh_from_db()
    assert enrollment.status == S.ENROLLED
    assert enrollment.enrolled_at is not None
    assert enrollment.offer_expires_at is None
    assert enrollment.history.first().history_user == owner
    reminders = Reminder.objects.filter(kind=seats.SEAT_OFFER_REMINDER)
    assert set(reminders.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}


def test_staff_accept_an_offer_on_the_owners_behalf(offered, staff_lampung):
    enrollment, _owner, _waiting = offered
    seats.offer_accept(enrollment=enrollment, actor=staff_lampung)
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.ENROLLED


@pytest.mark.parametrize("who", ["participant_b", "staff_jateng"])
def test_someone_elses_offer_cannot_be_accepted(offered, request, who):
    enrollment, _owner, _waiting = offered
    with pytest.raises(ValidationError, match="another enterprise"):
        seats.offer_accept(enrollment=enrollment, actor=request.getfixturevalue(who))
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.OFFERED


def test_an_expired_offer_cannot_be_accepted(offered, time_machine):
    enrollment, owner, _waiting = offered
    time_machine.move_to(enrollment.offer_expires_at + dt.timedelta(minutes=1), tick=False)
    with pytest.raises(ValidationError, match="expired"):
        seats.offer_accept(enrollment=enrollment, actor=owner)
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.OFFERED


def test_accepting_without_an_offer_is_refused(full_class, staff_lampung):
    _cohort, waiting = full_class
    with pytest.raises(ValidationError, match="no open seat offer"):
        seats.offer_accept(enrollment=waiting[1], actor=staff_lampung)


def test_declining_hands_the_seat_to_the_next(offered):
    enrollment, owner, waiting = offered
    seats.offer_decline(enrollment=enrollment, actor=owner)
    enrollment.refresh_from_db()
    second = Enrollment.objects.get(pk=waiting[1].pk)
    assert second.status == S.OFFERED
    assert (enrollment.status, enrollment.waitlist_position) == (S.WAITLISTED, 2)
    assert Reminder.objects.get(recipient=owner).status == Reminder.Status.CANCELLED
    assert seats_held(enrollment.cohort) == 2


def test_an_expired_offer_passes_to_the_next_and_a_second_run_changes_nothing(
    offered, time_machine
):
    enrollment, owner, waiting = offered
    cohort = enrollment.cohort
    time_machine.move_to(enrollment.offer_expires_at + dt.timedelta(minutes=5), tick=False)

    assert expire_seat_offers() == 1

    enrollment.refresh_from_db()
    second = Enrollment.objects.get(pk=waiting[1].pk)
    assert (enrollment.status, enrollment.waitlist_position) == (S.WAITLISTED, 2)
    assert enrollment.history.first().history_user is None
    assert second.status == S.OFFERED
    assert second.offer_expires_at == timezone.now() + dt.timedelta(hours=48)
    assert Reminder.objects.get(recipient=owner).status == Reminder.Status.CANCELLED
    snapshot = (statuses(cohort), Enrollment.history.count(), Reminder.objects.count())

    assert seats.offers_expire() == 0

    assert (statuses(cohort), Enrollment.history.count(), Reminder.objects.count()) == snapshot


def test_an_offer_before_its_deadline_does_not_expire(offered, time_machine):
    enrollment, _owner, _waiting = offered
    time_machine.move_to(enrollment.offer_expires_at - dt.timedelta(minutes=1), tick=False)
    assert seats.offers_expire() == 0
    assert Enrollment.objects.get(pk=enrollment.pk).status == S.OFFERED


def test_a_second_offer_to_the_same_enterprise_has_its_own_reminder_key(
    small_class, staff_lampung, selected, time_machine
):
    holder, _ = admit(selected(), small_class, staff_lampung)
    admit(selected(), small_class, staff_lampung)
    waiting, _ = admit(selected(), small_class, staff_lampung)
    owner = f.owner_of(waiting.enterprise)
    seats.enrollment_withdraw(enrollment=holder, actor=staff_lampung)
    first_deadline = Enrollment.objects.get(pk=waiting.pk).offer_expires_at
    time_machine.move_to(first_deadline + dt.timedelta(minutes=1), tick=False)
    seats.offers_expire()  # nobody else waits: the seat stays free
    assert Enrollment.objects.get(pk=waiting.pk).status == S.WAITLISTED
    seats.seat_offer_next(cohort=small_class, actor=staff_lampung)
    keys = set(Reminder.objects.filter(recipient=owner).values_list("unique_key", flat=True))
    assert keys == {
        f"seat-offer-{waiting.pk}-no1-{owner.pk}",
        f"seat-offer-{waiting.pk}-no2-{owner.pk}",
    }


def test_no_offers_once_the_class_has_held_two_sessions(full_class, staff_lampung, enterprise_a):
    cohort, waiting = full_class
    past = timezone.now() - dt.timedelta(days=3)
    f.SessionFactory(cohort=cohort, starts_at=past)
    f.SessionFactory(cohort=cohort, starts_at=past, cancelled_at=past)  # cancelled: not held
    f.SessionFactory(cohort=cohort, starts_at=timezone.now() + dt.timedelta(days=1))  # not yet
    enrolled = Enrollment.objects.get(enterprise=enterprise_a, cohort=cohort)
    seats.enrollment_withdraw(enrollment=enrolled, actor=staff_lampung)
    assert Enrollment.objects.get(pk=waiting[0].pk).status == S.OFFERED  # one session held

    f.SessionFactory(cohort=cohort, starts_at=past + dt.timedelta(days=1))
    offered = Enrollment.objects.get(pk=waiting[0].pk)
    seats.offer_decline(enrollment=offered, actor=staff_lampung)
    assert not Enrollment.objects.filter(cohort=cohort, status=S.OFFERED).exists()
    with pytest.raises(ValidationError, match="already held 2 sessions"):
        seats.seat_offer_next(cohort=cohort, actor=staff_lampung)


def test_offering_with_no_free_seat_is_refused(full_class, staff_lampung):
    cohort, waiting = full_class
    with pytest.raises(ValidationError, match="No seat is free"):
        seats.seat_offer_next(cohort=cohort, actor=staff_lampung)
    assert Enrollment.objects.get(pk=waiting[0].pk).status == S.WAITLISTED


def test_raising_the_capacity_offers_the_new_seats(full_class, staff_lampung):
    cohort, waiting = full_class
    seats.cohort_set_capacity(cohort=cohort, capacity=4, actor=staff_lampung)
    cohort.refresh_from_db()
    assert cohort.capacity == 4
    states = [Enrollment.objects.get(pk=e.pk) for e in waiting]
    assert [e.status for e in states] == [S.OFFERED, S.OFFERED, S.WAITLISTED]
    assert states[2].waitlist_position == 1
    assert seats_held(cohort) == 4


def test_capacity_cannot_go_below_the_seats_taken(full_class, staff_lampung):
    cohort, _waiting = full_class
    with pytest.raises(ValidationError) as error:
        seats.cohort_set_capacity(cohort=cohort, capacity=1, actor=staff_lampung)
    assert "capacity" in error.value.message_dict
    cohort.refresh_from_db()
    assert cohort.capacity == 2
    seats.cohort_set_capacity(cohort=cohort, capacity=2, actor=staff_lampung)


def test_enrolled_plus_offered_never_exceeds_capacity_through_a_whole_run(
    small_class, staff_lampung, selected, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    admitted = [admit(selected(), small_class, staff_lampung)[0] for _ in range(6)]
    for step, enrollment in enumerate(admitted):
        enrollment = Enrollment.objects.get(pk=enrollment.pk)
        if enrollment.status == S.OFFERED and step % 2:
            seats.offer_accept(enrollment=enrollment, actor=staff_lampung)
        elif enrollment.is_active:
            seats.enrollment_withdraw(enrollment=enrollment, actor=staff_lampung)
        time_machine.shift(dt.timedelta(hours=49))
        seats.offers_expire()
        assert seats_held(small_class) <= small_class.capacity


def test_the_beat_schedule_names_the_registered_expiry_task():
    from config.celery import app

    entry = app.conf.beat_schedule["expire-seat-offers"]
    assert entry["task"] == "cohorts.tasks.expire_seat_offers"
    assert app.tasks[entry["task"]].name == expire_seat_offers.name


def test_messages_reach_users_in_indonesian(settings, selected, small_class, staff_lampung):
    """With the site's default language, a refusal is worded in Indonesian."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "id"
    rejected = selection.enrollment_reject(enrollment=selected(), actor=staff_lampung, reason="x")
    with translation.override("id"), pytest.raises(ValidationError) as error:
        seats.enrollment_admit(enrollment=rejected, cohort=small_class, actor=staff_lampung)
    assert "seleksi" in " ".join(error.value.messages)


def test_a_newcomer_does_not_jump_the_waiting_list(full_class, staff_lampung, selected):
    """Offers have closed and a seat is free: a new admission queues behind those waiting."""
    cohort, waiting = full_class
    past = timezone.now() - dt.timedelta(days=3)
    f.SessionFactory.create_batch(2, cohort=cohort, starts_at=past)
    enrolled = Enrollment.objects.filter(cohort=cohort, status=S.ENROLLED).first()
    seats.enrollment_withdraw(enrollment=enrolled, actor=staff_lampung)
    assert seats_held(cohort) == cohort.capacity - 1  # no offer: two sessions were held
    newcomer, outcome = admit(selected(), cohort, staff_lampung)
    assert outcome == "waitlisted"
    assert newcomer.waitlist_position == len(waiting) + 1
    assert seats_held(cohort) == cohort.capacity - 1


def test_a_capacity_beyond_any_class_is_refused(full_class, staff_lampung):
    cohort, _waiting = full_class
    with pytest.raises(ValidationError) as error:
        seats.cohort_set_capacity(cohort=cohort, capacity=99_999_999_999, actor=staff_lampung)
    assert "capacity" in error.value.message_dict
    cohort.refresh_from_db()
    assert cohort.capacity == 2


def test_an_offer_to_an_enterprise_without_accounts_reaches_the_office_staff(
    full_class, staff_lampung, office_lampung
):
    cohort, waiting = full_class
    assert not waiting[0].enterprise.memberships.exists()
    enrolled = Enrollment.objects.filter(cohort=cohort, status=S.ENROLLED).first()
    seats.enrollment_withdraw(enrollment=enrolled, actor=staff_lampung)
    reminders = Reminder.objects.filter(kind=seats.SEAT_OFFER_REMINDER, subject_id=waiting[0].pk)
    assert {r.recipient for r in reminders} == {staff_lampung}
    assert waiting[0].enterprise.name in reminders.get().title


def test_a_capacity_change_is_kept_in_the_class_history(full_class, staff_lampung):
    cohort, _waiting = full_class
    seats.cohort_set_capacity(cohort=cohort, capacity=5, actor=staff_lampung)
    latest = cohort.history.first()
    assert latest.capacity == 5
    assert latest.history_user == staff_lampung


# --- both reasons are kept --------------------------------------------------------------


def test_leaving_keeps_the_selection_reason(small_class, staff_lampung, enterprise_a):
    enrollment = f.EnrollmentFactory(enterprise=enterprise_a, stage=small_class.stage)
    selection.enrollment_select(enrollment=enrollment, actor=staff_lampung, reason="Skor 55")
    admit(enrollment, small_class, staff_lampung)
    seats.enrollment_withdraw(enrollment=enrollment, actor=staff_lampung, reason="Pindah kota")
    enrollment.refresh_from_db()
    assert enrollment.decision_reason == "Skor 55"
    assert enrollment.leaving_reason == "Pindah kota"


# --- a free seat never stays unoffered ----------------------------------------------------


def offers(cohort):
    return list(
        Enrollment.objects.filter(cohort=cohort, status=S.OFFERED).values_list("pk", flat=True)
    )


@pytest.fixture
def free_seat_and_one_waiting(small_class, staff_lampung, selected, time_machine):
    """Two seats, one held; the second was offered to W, who let it lapse alone on the list."""
    holder, _ = admit(selected(), small_class, staff_lampung)
    leaving, _ = admit(selected(), small_class, staff_lampung)
    lapsed, _ = admit(selected(), small_class, staff_lampung)
    seats.enrollment_withdraw(enrollment=leaving, actor=staff_lampung)
    deadline = Enrollment.objects.get(pk=lapsed.pk).offer_expires_at
    time_machine.move_to(deadline + dt.timedelta(minutes=1), tick=False)
    assert seats.offers_expire() == 1
    assert Enrollment.objects.get(pk=lapsed.pk).status == S.WAITLISTED
    assert offers(small_class) == []
    return small_class, lapsed


def test_an_admission_while_others_wait_offers_the_free_seat_to_the_first(
    free_seat_and_one_waiting, staff_lampung, selected
):
    cohort, lapsed = free_seat_and_one_waiting
    newcomer, outcome = admit(selected(), cohort, staff_lampung)
    assert outcome == "waitlisted"
    assert offers(cohort) == [lapsed.pk]  # the first on the list, not the newcomer
    assert newcomer.status == S.WAITLISTED
    assert newcomer.waitlist_position == 1


def test_the_expiry_run_offers_a_free_seat_to_the_next_waiting(
    free_seat_and_one_waiting, staff_lampung, selected
):
    cohort, lapsed = free_seat_and_one_waiting
    # a seat left free with someone waiting (as data written before this rule could be)
    Enrollment.objects.filter(pk=lapsed.pk).update(status=S.WAITLISTED)
    other = f.EnrollmentFactory(
        enterprise=f.EnterpriseFactory(),
        stage=cohort.stage,
        cohort=cohort,
        status=S.WAITLISTED,
        waitlist_position=2,
    )
    seats.offers_expire()
    assert offers(cohort) == [lapsed.pk]
    assert Enrollment.objects.get(pk=other.pk).waitlist_position == 1
    assert Reminder.objects.filter(kind=seats.SEAT_OFFER_REMINDER, subject_id=lapsed.pk).exists()
    before = (statuses(cohort), Reminder.objects.count())
    seats.offers_expire()
    assert (statuses(cohort), Reminder.objects.count()) == before


def test_an_expired_offer_with_others_waiting_goes_to_the_next_in_the_same_run(
    offered, time_machine
):
    enrollment, _owner, waiting = offered
    time_machine.move_to(enrollment.offer_expires_at + dt.timedelta(minutes=1), tick=False)
    seats.offers_expire()
    assert offers(enrollment.cohort) == [waiting[1].pk]


@pytest.mark.parametrize("path", ["withdraw", "remove", "decline"])
def test_every_seat_freed_goes_to_the_first_waiting(full_class, staff_lampung, path):
    cohort, waiting = full_class
    if path == "decline":
        holder = Enrollment.objects.filter(cohort=cohort, status=S.ENROLLED).first()
        seats.enrollment_withdraw(enrollment=holder, actor=staff_lampung)
        seats.offer_decline(enrollment=waiting[0], actor=staff_lampung)
        expected = waiting[1].pk
    else:
        holder = Enrollment.objects.filter(cohort=cohort, status=S.ENROLLED).first()
        if path == "withdraw":
            seats.enrollment_withdraw(enrollment=holder, actor=staff_lampung)
        else:
            seats.enrollment_remove(enrollment=holder, actor=staff_lampung, reason="Tidak hadir")
        expected = waiting[0].pk
    assert offers(cohort) == [expected]
    assert seats_held(cohort) == cohort.capacity


def test_raising_the_capacity_with_people_waiting_offers_each_new_seat(full_class, staff_lampung):
    cohort, waiting = full_class
    seats.cohort_set_capacity(cohort=cohort, capacity=4, actor=staff_lampung)
    assert sorted(offers(cohort)) == sorted([waiting[0].pk, waiting[1].pk])
    assert Enrollment.objects.get(pk=waiting[2].pk).waitlist_position == 1


def test_the_offer_reminder_key_survives_pruned_history(
    small_class, staff_lampung, selected, time_machine
):
    holder, _ = admit(selected(), small_class, staff_lampung)
    admit(selected(), small_class, staff_lampung)
    waiting, _ = admit(selected(), small_class, staff_lampung)
    owner = f.owner_of(waiting.enterprise)
    seats.enrollment_withdraw(enrollment=holder, actor=staff_lampung)
    deadline = Enrollment.objects.get(pk=waiting.pk).offer_expires_at
    time_machine.move_to(deadline + dt.timedelta(minutes=1), tick=False)
    seats.offers_expire()
    Enrollment.history.filter(id=waiting.pk).delete()  # history pruned
    seats.seat_offer_next(cohort=small_class, actor=staff_lampung)
    reminders = Reminder.objects.filter(recipient=owner, kind=seats.SEAT_OFFER_REMINDER)
    assert reminders.count() == 2
    assert reminders.filter(status=Reminder.Status.PENDING).count() == 1
