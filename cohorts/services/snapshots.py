"""Snapshots of an enterprise's figures at intake, at completion and 12 months later:
what funders compare to tell whether it moved up ("naik kelas")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Enterprise, EnterpriseMembership, OfficeMembership, User
from cohorts import reminders
from cohorts.models import Enrollment, EnterpriseSnapshot
from cohorts.permissions import actor_acts_for_enterprise, require_program_staff
from notifications import kinds
from notifications.services import reminder_cancel, reminder_request

FOLLOW_UP_REMINDER_KIND = kinds.SNAPSHOT_FOLLOW_UP

SNAPSHOT_FIGURES = (
    "annual_revenue",
    "employees_women",
    "employees_men",
    "size_class",
    "export_status",
)


@transaction.atomic
def snapshot_record(
    *,
    enterprise: Enterprise,
    program,
    moment: str,
    actor: User | None,
    taken_on: dt.date | None = None,
    replace: bool = False,
    **figures,
) -> EnterpriseSnapshot:
    """Record an enterprise's figures at a moment of a programme; figures not given are read
    from the enterprise's record. At intake the first snapshot stays (a second call returns it)
    unless ``replace`` asks for a correction; later moments are replaced by the newest figures.
    Every change is kept in the snapshot's history. Recording the 12-month snapshot cancels
    the reminders that asked for it.

    Who may record: the programme's staff. The first intake snapshot is also taken when the
    enterprise itself accepts a seat offer (the seat rules call this with its member as the
    actor), so a member of the enterprise may record that one, and nothing else. ``actor=None``
    is an internal call with no acting user (a scheduled job) and is not checked.
    """
    unknown = set(figures) - set(SNAPSHOT_FIGURES)
    if unknown:
        raise ValidationError(
            _("Unknown figures: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if moment not in EnterpriseSnapshot.Moment.values:
        raise ValidationError(_("Unknown snapshot moment."))
    if actor is not None:
        first_intake = moment == EnterpriseSnapshot.Moment.INTAKE and not replace
        # The enterprise answers the 12-month follow-up itself, from the portal.
        own_moment = first_intake or moment == EnterpriseSnapshot.Moment.FOLLOW_UP
        if not (own_moment and actor_acts_for_enterprise(actor, enterprise.pk, program)):
            require_program_staff(actor, program)
    taken_on = taken_on or timezone.localdate()
    if taken_on > timezone.localdate():
        raise ValidationError(_("A snapshot cannot be dated in the future."))
    existing = (
        EnterpriseSnapshot.objects.select_for_update()
        .filter(enterprise=enterprise, program=program, moment=moment)
        .first()
    )
    if existing is not None and moment == EnterpriseSnapshot.Moment.INTAKE and not replace:
        return existing
    snapshot = existing or EnterpriseSnapshot(enterprise=enterprise, program=program, moment=moment)
    snapshot.taken_on = taken_on
    for name in SNAPSHOT_FIGURES:
        setattr(snapshot, name, figures.get(name, getattr(enterprise, name)))
    snapshot.full_clean(validate_unique=False)
    snapshot._history_user = actor
    snapshot.save()
    if moment == EnterpriseSnapshot.Moment.FOLLOW_UP:
        for enrollment in Enrollment.objects.filter(enterprise=enterprise, program=program):
            reminder_cancel(subject_object=enrollment, kind=FOLLOW_UP_REMINDER_KIND)
    return snapshot


# --- the 12-month follow-up ---------------------------------------------------------------


def follow_up_recipients(enrollment: Enrollment) -> list[User]:
    """Who records the 12-month figures: the staff of the programme's office as it is now,
    and the enterprise's members."""
    staff = OfficeMembership.objects.filter(
        office_id=enrollment.program.office_id, user__is_active=True
    ).select_related("user")
    members = EnterpriseMembership.objects.filter(
        enterprise_id=enrollment.enterprise_id, user__is_active=True
    ).select_related("user")
    users = {m.user.pk: m.user for m in [*staff, *members]}
    return [users[pk] for pk in sorted(users)]


def snapshot_follow_ups_request(*, now: dt.datetime | None = None) -> int:
    """Ask for the 12-month snapshots that have fallen due; the number of enrollments asked for.

    The recipients are resolved on the day it falls due, not when the class closed: the
    office's staff of that day and the enterprise's members, each in their own language, so
    the reminder belongs to the office and survives whoever closed the class. Running it
    again writes nothing twice (one key per enrollment and recipient) and only reaches
    someone who joined since.
    """
    now = now or timezone.now()
    count = 0
    for enrollment in reminders.snapshot_follow_ups_due(now=now):
        with transaction.atomic():
            for user in follow_up_recipients(enrollment):
                _request_follow_up(enrollment=enrollment, recipient=user, now=now)
        count += 1
    return count


def _request_follow_up(*, enrollment: Enrollment, recipient: User, now: dt.datetime) -> None:
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        values = {
            "enterprise": enrollment.enterprise,
            "class": enrollment.cohort,
            "program": enrollment.program,
        }
        title = _("Record the 12-month figures of %(enterprise)s") % values
        body = (
            _(
                "%(enterprise)s ended its class %(class)s a year ago. Record its revenue, "
                "employees, size class and export status (the 12-month snapshot) for "
                "%(program)s."
            )
            % values
        )
    reminder_request(
        kind=FOLLOW_UP_REMINDER_KIND,
        recipient=recipient,
        subject_object=enrollment,
        unique_key=f"snapshot-12m-enrollment-{enrollment.pk}-{recipient.pk}",
        title=title,
        body=body,
        due_at=now,
        link=reverse("portal:snapshot", args=[enrollment.pk]),
    )
