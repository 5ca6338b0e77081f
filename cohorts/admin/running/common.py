"""What the pages of running a class share: local times, the classes a user runs, and
service refusals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from cohorts import selectors
from cohorts.models import (
    Cohort,
    Enrollment,
)

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
WEEKDAY_CHOICES = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]


def local_time(moment: dt.datetime | None, zone_name: str) -> str:
    """A stored UTC time as the venue reads it, with its zone: ``04-03-2031 09:00 WITA``."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone_name))
    label = ZONE_LABELS.get(zone_name, zone_name)
    return f"{date_format(local, 'd-m-Y H:i')} {label}"


def _managed_program_ids(request) -> QuerySet:
    return selectors.programs_managed_by(request.user).values("pk")


def managed_cohorts(request) -> QuerySet[Cohort]:
    return Cohort.objects.filter(stage__program__in=_managed_program_ids(request))


def managed_enrollments(request) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(program__in=_managed_program_ids(request))


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class ServiceFormMixin:
    """Runs the add/change form's save through a service; a refusal becomes a message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            _refused(request, error)
            return HttpResponseRedirect(request.get_full_path())


MAX_POSTED_ID = 2**63 - 1  # the largest primary key the databases hold


def posted_id(key: str, prefix: str) -> int | None:
    """The row id in a posted field name such as ``status-12``; None when it is not one."""
    raw = key.removeprefix(prefix)
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_POSTED_ID else None
