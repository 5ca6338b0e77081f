"""What the cohorts app has due to remind people of; the services write the reminders."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet

from cohorts.models import Enrollment, EnterpriseSnapshot

FOLLOW_UP_DAYS = 365
# A follow-up still missing this long after it fell due is no longer asked for, so a first
# run over old data does not flood the offices.
FOLLOW_UP_ASKED_FOR_DAYS = 90


def snapshot_follow_ups_due(*, now: dt.datetime) -> QuerySet[Enrollment]:
    """Ended enrollments whose 12-month snapshot has fallen due and is not recorded yet."""
    due_by = now - dt.timedelta(days=FOLLOW_UP_DAYS)
    recorded = EnterpriseSnapshot.objects.filter(
        enterprise=OuterRef("enterprise"),
        program=OuterRef("program"),
        moment=EnterpriseSnapshot.Moment.FOLLOW_UP,
    )
    return (
        Enrollment.objects.filter(
            status__in=[Enrollment.Status.COMPLETED, Enrollment.Status.NOT_COMPLETED],
            ended_at__lte=due_by,
            ended_at__gt=due_by - dt.timedelta(days=FOLLOW_UP_ASKED_FOR_DAYS),
        )
        .exclude(Exists(recorded))
        .select_related("enterprise", "program", "cohort")
        .order_by("ended_at", "pk")
    )
