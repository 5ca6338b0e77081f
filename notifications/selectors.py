from django.db.models import Q, QuerySet

from notifications.models import Reminder


def reminders_for(*, user) -> QuerySet[Reminder]:
    """A user's own reminders, newest first."""
    return Reminder.objects.filter(recipient=user).order_by("-due_at")


def reminders_for_offices(office_ids) -> QuerySet[Reminder]:
    """Reminders sent to the offices' staff and to the members of the enterprises in their
    programmes or certification requests."""
    from accounts.models import EnterpriseMembership, OfficeMembership
    from certifications.models import Case
    from cohorts.models import Enrollment

    office_ids = list(office_ids)
    if not office_ids:
        return Reminder.objects.none()
    enrolled = Enrollment.objects.filter(program__office_id__in=office_ids).values("enterprise_id")
    assisted = Case.objects.filter(office_id__in=office_ids).values("enterprise_id")
    members = EnterpriseMembership.objects.values("user_id")
    staff = OfficeMembership.objects.filter(office_id__in=office_ids).values("user_id")
    # One plain semi-join per kind of person (no OR inside them): the database probes the
    # enrollments and requests of each member instead of hashing every enrollment of the office.
    return Reminder.objects.filter(
        Q(recipient_id__in=members.filter(enterprise_id__in=enrolled))
        | Q(recipient_id__in=members.filter(enterprise_id__in=assisted))
        | Q(recipient_id__in=staff)
    )
