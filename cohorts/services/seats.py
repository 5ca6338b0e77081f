"""Seats: admitting selected enterprises to a class, the waiting list and seat offers.

Every service that changes who holds a seat locks the class row first, then the enrollments,
and counts enrolled plus offered inside that transaction: whatever arrives at once, the
seats held never exceed the capacity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import EnterpriseMembership, OfficeMembership, User
from cohorts import selectors
from cohorts.models import LEVEL_ORDER, Cohort, Enrollment, EnterpriseSnapshot, Level
from cohorts.permissions import actor_acts_for_enterprise, require_program_staff
from cohorts.services.snapshots import snapshot_record
from notifications import kinds
from notifications import services as notifications

SEAT_OFFER_REMINDER = kinds.SEAT_OFFER
SESSION_TOMORROW_REMINDER = kinds.SESSION_TOMORROW
CLASS_CLOSED_REMINDER = "cohorts.class_closed"

Status = Enrollment.Status


class AdmitOutcome(models.TextChoices):
    """What admitting an enrollment to a class did."""

    ENROLLED = "enrolled", Status.ENROLLED.label
    WAITLISTED = "waitlisted", Status.WAITLISTED.label


# --- locking ------------------------------------------------------------------------------


# Far above any real class (20 by default), and within the column's range on every database.
MAX_CLASS_CAPACITY = 500


def _lock_cohort(cohort_id: int) -> Cohort:
    # of=("self",): lock the class only, not the stage and programme joined for reading.
    return (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("stage__program")
        .get(pk=cohort_id)
    )


def _lock_enrollment(enrollment_id: int) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise")
        .get(pk=enrollment_id)
    )


def _lock_with_class(enrollment: Enrollment) -> tuple[Cohort | None, Enrollment]:
    """Lock an enrollment's class, then the enrollment (always in this order)."""
    cohort_id = (
        Enrollment.objects.filter(pk=enrollment.pk).values_list("cohort_id", flat=True).get()
    )
    cohort = _lock_cohort(cohort_id) if cohort_id else None
    locked = _lock_enrollment(enrollment.pk)
    if locked.cohort_id != cohort_id:  # admitted to a class in the meantime
        cohort = _lock_cohort(locked.cohort_id)
    return cohort, locked


def _save(enrollment: Enrollment, actor: User | None, fields: Iterable[str]) -> None:
    enrollment._history_user = actor
    enrollment.save(update_fields=list(fields))


# --- the waiting list ---------------------------------------------------------------------


def _record_intake(enrollment: Enrollment, actor: User | None) -> None:
    """The enterprise's figures when it takes its seat: the "before" funders compare with."""
    snapshot_record(
        enterprise=enrollment.enterprise,
        program=enrollment.program,
        moment=EnterpriseSnapshot.Moment.INTAKE,
        actor=actor,
    )


def _next_position(cohort: Cohort) -> int:
    highest = Enrollment.objects.filter(cohort=cohort, status=Status.WAITLISTED).aggregate(
        highest=Max("waitlist_position")
    )["highest"]
    return (highest or 0) + 1


def _renumber(order: list[Enrollment], actor: User | None) -> None:
    """Number the waiting list 1, 2, 3… in the given order, saving only what moved."""
    for position, enrollment in enumerate(order, start=1):
        if enrollment.waitlist_position != position:
            enrollment.waitlist_position = position
            _save(enrollment, actor, ["waitlist_position"])


def _close_gaps(cohort: Cohort, actor: User | None) -> None:
    _renumber(list(selectors.cohort_waiting_list(cohort).select_for_update(of=("self",))), actor)


def _back_of_the_list(enrollment: Enrollment, cohort: Cohort, actor: User | None) -> None:
    enrollment.status = Status.WAITLISTED
    enrollment.offer_expires_at = None
    enrollment.waitlist_position = _next_position(cohort)
    _save(enrollment, actor, ["status", "offer_expires_at", "waitlist_position"])


# --- offers -------------------------------------------------------------------------------


def offers_closed(cohort: Cohort, *, now: dt.datetime | None = None) -> bool:
    """No more offers once the class has held the programme's number of sessions."""
    limit = cohort.stage.program.offers_close_after_sessions
    return selectors.cohort_sessions_held(cohort, now=now) >= limit


def _cancel_offer_reminders(enrollment: Enrollment) -> None:
    notifications.reminder_cancel(subject_object=enrollment, kind=SEAT_OFFER_REMINDER)


def deadline_in_class_zone(cohort: Cohort, moment: dt.datetime) -> str:
    """A moment as the class's participants read it: local date and time with the zone."""
    local = timezone.localtime(moment, ZoneInfo(cohort.time_zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def _offer_recipients(enrollment: Enrollment, cohort: Cohort) -> list[User]:
    """The enterprise's members; when it has no account yet, the programme office's staff,
    who then pass the offer on by phone."""
    members = [
        m.user
        for m in EnterpriseMembership.objects.filter(
            enterprise_id=enrollment.enterprise_id, user__is_active=True
        ).select_related("user")
    ]
    if members:
        return members
    return [
        m.user
        for m in OfficeMembership.objects.filter(
            office_id=cohort.stage.program.office_id, user__is_active=True
        ).select_related("user")
    ]


def _ask_offer_reminders(enrollment: Enrollment, cohort: Cohort) -> None:
    deadline = timezone.localtime(enrollment.offer_expires_at, ZoneInfo(cohort.time_zone))
    for user in _offer_recipients(enrollment, cohort):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            values = {
                "enterprise": enrollment.enterprise.name,
                "cohort": cohort.name,
                "program": cohort.stage.program.name,
                "deadline": formats.date_format(deadline, "DATETIME_FORMAT"),
                "zone": deadline.tzname(),
            }
            title = _("A seat in %(cohort)s is offered to %(enterprise)s") % values
            body = (
                _(
                    "A seat has come free in the class %(cohort)s of %(program)s and is held for "
                    "%(enterprise)s until %(deadline)s %(zone)s. Accept it before then; after the "
                    "deadline it goes to the next enterprise on the waiting list."
                )
                % values
            )
        notifications.reminder_request(
            kind=SEAT_OFFER_REMINDER,
            recipient=user,
            subject_object=enrollment,
            # the offer's own number, kept on the enrollment: pruning history cannot reuse it
            unique_key=f"seat-offer-{enrollment.pk}-no{enrollment.offers_made}-{user.pk}",
            title=title,
            body=body,
            link=reverse("portal:offer", args=[enrollment.pk]),
        )


def _make_offer(enrollment: Enrollment, cohort: Cohort, actor, now: dt.datetime) -> None:
    enrollment.status = Status.OFFERED
    enrollment.offer_expires_at = now + dt.timedelta(hours=cohort.stage.program.seat_offer_hours)
    enrollment.waitlist_position = None
    enrollment.offers_made += 1
    _save(enrollment, actor, ["status", "offer_expires_at", "waitlist_position", "offers_made"])
    _ask_offer_reminders(enrollment, cohort)


def seats_fill(
    *,
    cohort: Cohort,
    actor: User | None,
    now: dt.datetime | None = None,
    passed_over: Iterable[int] = (),
) -> list[Enrollment]:
    """Restore the seat rule of a class: while a seat is free, someone waits and offers are
    still open, the first on the waiting list holds an offer. Returns the offers made.

    Every path that changes who holds a seat or who waits calls this before it commits
    (admission, withdrawal, removal, decline, expiry, a capacity change); the expiry run also
    sweeps every class, so a seat freed any other way is offered at the latest then. The class
    row is locked here, so the count and the offers cannot be raced.

    ``passed_over``: enrollments that have just declined or let an offer lapse; the seat
    passes over them to the next, in this call only.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seats_fill runs inside the transaction of the change.")
    now = now or timezone.now()
    cohort = _lock_cohort(cohort.pk)
    offered: list[Enrollment] = []
    if cohort.closed_at is None and not offers_closed(cohort, now=now):
        free = cohort.capacity - selectors.cohort_seats_taken(cohort)
        if free > 0:
            waiting = (
                selectors.cohort_waiting_list(cohort)
                .exclude(pk__in=list(passed_over))
                .select_for_update(of=("self",))
            )
            offered = list(waiting[:free])
            for enrollment in offered:
                _make_offer(enrollment, cohort, actor, now)
    _close_gaps(cohort, actor)
    return offered


@transaction.atomic
def seat_offer_next(*, cohort: Cohort, actor: User | None = None) -> Enrollment:
    """Offer a free seat of the class to the first enterprise on its waiting list."""
    cohort = _lock_cohort(cohort.pk)
    if actor is not None:
        require_program_staff(actor, cohort.stage.program)
    now = timezone.now()
    if cohort.closed_at is not None:
        raise ValidationError(_("This class is closed."))
    if offers_closed(cohort, now=now):
        raise ValidationError(
            _("No more seat offers: this class has already held %(count)s sessions.")
            % {"count": cohort.stage.program.offers_close_after_sessions}
        )
    if selectors.cohort_seats_taken(cohort) >= cohort.capacity:
        raise ValidationError(_("No seat is free in this class."))
    first = selectors.cohort_waiting_list(cohort).select_for_update(of=("self",)).first()
    if first is None:
        raise ValidationError(_("Nobody is on the waiting list of this class."))
    _make_offer(first, cohort, actor, now)
    seats_fill(cohort=cohort, actor=actor, now=now)
    return first


@transaction.atomic
def offer_accept(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """The enterprise (or staff on its behalf) accepts a seat offer before its deadline."""
    cohort, enrollment = _lock_with_class(enrollment)
    if not actor_acts_for_enterprise(actor, enrollment.enterprise_id, enrollment.program):
        raise ValidationError(
            _("This seat offer was made to another enterprise."), code="permission"
        )
    if cohort is not None and cohort.closed_at is not None:
        raise ValidationError(
            _("The class %(cohort)s is closed: its seat offers can no longer be accepted.")
            % {"cohort": cohort.name},
            code="class_closed",
        )
    if enrollment.status != Status.OFFERED:
        raise ValidationError(_("There is no open seat offer to accept."))
    now = timezone.now()
    if enrollment.offer_expires_at <= now:
        deadline = timezone.localtime(enrollment.offer_expires_at, ZoneInfo(cohort.time_zone))
        raise ValidationError(
            _("This seat offer expired on %(deadline)s %(zone)s.")
            % {
                "deadline": formats.date_format(deadline, "DATETIME_FORMAT"),
                "zone": deadline.tzname(),
            }
        )
    enrollment.status = Status.ENROLLED
    enrollment.enrolled_at = now
    enrollment.offer_expires_at = None
    _save(enrollment, actor, ["status", "enrolled_at", "offer_expires_at"])
    _cancel_offer_reminders(enrollment)
    _record_intake(enrollment, actor)
    return enrollment


@transaction.atomic
def offer_decline(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """The enterprise declines a seat offer: it goes back to the end of the list, the seat on."""
    cohort, enrollment = _lock_with_class(enrollment)
    if not actor_acts_for_enterprise(actor, enrollment.enterprise_id, enrollment.program):
        raise ValidationError(
            _("This seat offer was made to another enterprise."), code="permission"
        )
    if enrollment.status != Status.OFFERED:
        raise ValidationError(_("There is no open seat offer to decline."))
    _back_of_the_list(enrollment, cohort, actor)
    _cancel_offer_reminders(enrollment)
    seats_fill(cohort=cohort, actor=actor, passed_over=[enrollment.pk])
    return enrollment


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Offers past their deadline go back to the list and their seats to the next; a count.

    Every open class with someone waiting is looked at too, so a seat left free by any path
    is offered here at the latest. One transaction per class, so a busy class does not hold
    the others. Running it twice changes nothing the second time: what expired is no longer
    an offer, and the seats it freed are offered.
    """
    now = now or timezone.now()
    expiring = Enrollment.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
    waiting = Enrollment.objects.filter(status=Status.WAITLISTED, cohort__closed_at__isnull=True)
    cohort_ids = set(expiring.values_list("cohort_id", flat=True)) | set(
        waiting.values_list("cohort_id", flat=True)
    )
    expired_count = 0
    for cohort_id in sorted(cohort_ids):
        with transaction.atomic():
            cohort = _lock_cohort(cohort_id)
            expired = list(
                Enrollment.objects.select_for_update(of=("self",))
                .filter(cohort=cohort, status=Status.OFFERED, offer_expires_at__lte=now)
                .order_by("offer_expires_at", "pk")
            )
            for enrollment in expired:
                _back_of_the_list(enrollment, cohort, None)
                _cancel_offer_reminders(enrollment)
            seats_fill(cohort=cohort, actor=None, now=now, passed_over=[e.pk for e in expired])
            expired_count += len(expired)
    return expired_count


def _tell_class_closed(enrollment: Enrollment, cohort: Cohort, was_offered: bool) -> None:
    for user in _offer_recipients(enrollment, cohort):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            values = {"enterprise": enrollment.enterprise.name, "cohort": cohort.name}
            title = _("The class %(cohort)s has closed") % values
            if was_offered:
                body = _(
                    "The class %(cohort)s has closed, so the seat offered to %(enterprise)s "
                    "can no longer be taken. %(enterprise)s stays selected for this stage; "
                    "the programme's staff may place it in another class."
                )
            else:
                body = _(
                    "The class %(cohort)s has closed before a seat came free for "
                    "%(enterprise)s, so its place on the waiting list has ended. "
                    "%(enterprise)s stays selected for this stage; the programme's staff may "
                    "place it in another class."
                )
            body = body % values
        notifications.reminder_request(
            kind=CLASS_CLOSED_REMINDER,
            recipient=user,
            subject_object=enrollment,
            unique_key=f"class-closed-{cohort.pk}-{enrollment.pk}-{user.pk}",
            title=title,
            body=body,
        )


def seats_release_on_close(*, cohort: Cohort, actor: User) -> list[Enrollment]:
    """A class closes: its open offers and its waiting list end. Each enterprise goes back to
    the stage's selected applications (staff may admit it to another class) and is told why
    through the outbox. The caller has locked the class."""
    released = list(
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("enterprise", "program")
        .filter(cohort_id=cohort.pk, status__in=[Status.OFFERED, Status.WAITLISTED])
        .order_by("waitlist_position", "pk")
    )
    for enrollment in released:
        was_offered = enrollment.status == Status.OFFERED
        enrollment.status = Status.SELECTED
        enrollment.cohort = None
        enrollment.waitlist_position = None
        enrollment.offer_expires_at = None
        _save(enrollment, actor, ["status", "cohort", "waitlist_position", "offer_expires_at"])
        if was_offered:
            _cancel_offer_reminders(enrollment)
        _tell_class_closed(enrollment, cohort, was_offered)
    return released


# --- admission, withdrawal, removal -------------------------------------------------------


@transaction.atomic
def enrollment_admit(
    *, enrollment: Enrollment, cohort: Cohort, actor: User, override_reason: str = ""
) -> tuple[Enrollment, AdmitOutcome]:
    """Admit a selected enrollment to a class: enrolled while a seat is free and nobody is
    waiting for it, else at the end of the waiting list (a newcomer never jumps the queue).

    A class above the level the enterprise is eligible for needs a reason, recorded with
    who gave it.
    """
    cohort = _lock_cohort(cohort.pk)
    enrollment = _lock_enrollment(enrollment.pk)
    require_program_staff(actor, enrollment.program)
    if enrollment.status == Status.APPLIED:
        raise ValidationError(_("This application has not been selected yet."))
    if enrollment.status == Status.REJECTED:
        raise ValidationError(_("This application was not selected; it cannot be admitted."))
    if enrollment.status != Status.SELECTED:
        raise ValidationError(
            _("Only a selected application can be admitted to a class (now: %(status)s).")
            % {"status": enrollment.get_status_display()}
        )
    if cohort.stage_id != enrollment.stage_id:
        raise ValidationError(_("This class belongs to another stage."))
    if cohort.closed_at is not None:
        raise ValidationError(_("This class is closed."))

    eligible = selectors.eligible_level(enrollment.enterprise)
    override_reason = (override_reason or "").strip()
    fields = ["status", "cohort", "waitlist_position", "enrolled_at"]
    if LEVEL_ORDER.index(cohort.level) > LEVEL_ORDER.index(eligible):
        if not override_reason:
            raise ValidationError(
                {
                    "override_reason": _(
                        "%(enterprise)s may join a %(eligible)s class; placing it in a "
                        "%(level)s class needs a reason."
                    )
                    % {
                        "enterprise": enrollment.enterprise.name,
                        "eligible": Level(eligible).label,
                        "level": Level(cohort.level).label,
                    }
                }
            )
        enrollment.placement_override_reason = override_reason
        enrollment.placement_override_by = actor
        fields += ["placement_override_reason", "placement_override_by"]

    enrollment.cohort = cohort
    seat_free = selectors.cohort_seats_taken(cohort) < cohort.capacity
    if seat_free and not selectors.cohort_waiting_list(cohort).exists():
        enrollment.status = Status.ENROLLED
        enrollment.enrolled_at = timezone.now()
        enrollment.waitlist_position = None
        outcome = AdmitOutcome.ENROLLED
    else:
        enrollment.status = Status.WAITLISTED
        enrollment.waitlist_position = _next_position(cohort)
        outcome = AdmitOutcome.WAITLISTED
    _save(enrollment, actor, fields)
    if outcome == AdmitOutcome.ENROLLED:
        _record_intake(enrollment, actor)
    else:
        # a seat left free while others waited goes to the first of them now
        seats_fill(cohort=cohort, actor=actor)
        enrollment.refresh_from_db()
    return enrollment, outcome


def _leave(
    *, enrollment: Enrollment, actor: User, status: str, reason: str, allowed: Iterable[str]
) -> Enrollment:
    cohort, enrollment = _lock_with_class(enrollment)
    if enrollment.status not in allowed:
        raise ValidationError(
            _("This enrollment cannot end this way now (status: %(status)s).")
            % {"status": enrollment.get_status_display()}
        )
    before = enrollment.status
    enrollment.status = status
    enrollment.ended_at = timezone.now()
    enrollment.leaving_reason = reason  # the selection's decision_reason stays as it was
    enrollment.waitlist_position = None
    enrollment.offer_expires_at = None
    _save(
        enrollment,
        actor,
        ["status", "ended_at", "leaving_reason", "waitlist_position", "offer_expires_at"],
    )
    if before == Status.OFFERED:
        _cancel_offer_reminders(enrollment)
    # whoever left is reminded of nothing more about this seat or its class's sessions
    notifications.reminder_cancel(subject_object=enrollment)
    notifications.reminders_cancel_keyed(
        kind=SESSION_TOMORROW_REMINDER, key_contains=f":e{enrollment.pk}:"
    )
    if cohort is not None:
        seats_fill(cohort=cohort, actor=actor)
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, actor: User, reason: str = "") -> Enrollment:
    """The enterprise withdraws ("mengundurkan diri"); a seat it held goes to the next."""
    program = enrollment.program
    if not actor_acts_for_enterprise(actor, enrollment.enterprise_id, program):
        raise ValidationError(
            _("Only the enterprise or the programme's staff may withdraw it."), code="permission"
        )
    return _leave(
        enrollment=enrollment,
        actor=actor,
        status=Status.WITHDRAWN,
        reason=(reason or "").strip(),
        allowed=(
            Status.APPLIED,
            Status.SELECTED,
            Status.WAITLISTED,
            Status.OFFERED,
            Status.ENROLLED,
        ),
    )


@transaction.atomic
def enrollment_remove(*, enrollment: Enrollment, actor: User, reason: str) -> Enrollment:
    """Staff remove an admitted enterprise ("gugur"), with a reason; its seat goes on."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for removing this enterprise.")})
    require_program_staff(actor, enrollment.program)
    return _leave(
        enrollment=enrollment,
        actor=actor,
        status=Status.REMOVED,
        reason=reason,
        allowed=(Status.WAITLISTED, Status.OFFERED, Status.ENROLLED),
    )


@transaction.atomic
def waitlist_move(*, enrollment: Enrollment, position: int, actor: User) -> Enrollment:
    """Staff move an enterprise to a place on the waiting list (1 is first in line)."""
    cohort, enrollment = _lock_with_class(enrollment)
    require_program_staff(actor, enrollment.program)
    if enrollment.status != Status.WAITLISTED:
        raise ValidationError(_("This enterprise is not on a waiting list."))
    if position is None or position < 1:
        raise ValidationError({"position": _("Positions on the list start at 1.")})
    order = [
        e
        for e in selectors.cohort_waiting_list(cohort).select_for_update(of=("self",))
        if e.pk != enrollment.pk
    ]
    order.insert(min(position, len(order) + 1) - 1, enrollment)
    _renumber(order, actor)
    seats_fill(cohort=cohort, actor=actor)
    return enrollment


@transaction.atomic
def cohort_set_capacity(*, cohort: Cohort, capacity: int, actor: User) -> Cohort:
    """Change a class's capacity; never below the seats taken. Raising it offers the new seats."""
    cohort = _lock_cohort(cohort.pk)
    require_program_staff(actor, cohort.stage.program)
    if capacity is None or capacity < 1:
        raise ValidationError({"capacity": _("A class has room for at least one participant.")})
    if capacity > MAX_CLASS_CAPACITY:
        raise ValidationError(
            {
                "capacity": _("A class holds at most %(max)s participants.")
                % {"max": MAX_CLASS_CAPACITY}
            }
        )
    taken = selectors.cohort_seats_taken(cohort)
    if capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "%(taken)s seats are taken (enrolled or offered); the capacity cannot be "
                    "lower than that."
                )
                % {"taken": taken}
            }
        )
    cohort.capacity = capacity
    cohort._history_user = actor
    cohort.save(update_fields=["capacity"])
    seats_fill(cohort=cohort, actor=actor)
    return cohort


@transaction.atomic
def enrollment_move_class(*, enrollment: Enrollment, cohort: Cohort, actor: User) -> Enrollment:
    """Move an enrolled participant to another class of the same stage and level.

    The seat rules of both classes hold: the new class needs a free seat nobody is waiting
    for (a moved participant never jumps a queue), and the seat left behind goes to the first
    of the old class's waiting list. Both classes are locked in id order."""
    current_id = (
        Enrollment.objects.filter(pk=enrollment.pk).values_list("cohort_id", flat=True).get()
    )
    if current_id is None:
        raise ValidationError(_("This enrollment is not in a class."))
    if current_id == cohort.pk:
        raise ValidationError(_("The participant is already in this class."))
    first, second = sorted([current_id, cohort.pk])
    locked = {first: _lock_cohort(first), second: _lock_cohort(second)}
    source, target = locked[current_id], locked[cohort.pk]
    enrollment = _lock_enrollment(enrollment.pk)
    require_program_staff(actor, enrollment.program)
    if enrollment.cohort_id != source.pk:
        raise ValidationError(_("The participant's class changed meanwhile; try again."))
    if enrollment.status != Status.ENROLLED:
        raise ValidationError(
            _("Only an enrolled participant can move to another class (now: %(status)s).")
            % {"status": enrollment.get_status_display()}
        )
    if target.stage_id != source.stage_id or target.level != source.level:
        raise ValidationError(_("A participant moves only to a class of the same stage and level."))
    if target.closed_at is not None or source.closed_at is not None:
        raise ValidationError(_("This class is closed."))
    if (
        selectors.cohort_seats_taken(target) >= target.capacity
        or selectors.cohort_waiting_list(target).exists()
    ):
        raise ValidationError(
            _("%(class)s has no free seat for %(enterprise)s.")
            % {"class": target.name, "enterprise": enrollment.enterprise.name}
        )
    enrollment.cohort = target
    _save(enrollment, actor, ["cohort"])
    seats_fill(cohort=source, actor=actor)
    return enrollment
