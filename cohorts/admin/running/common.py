"""What the pages of running a class share: local times, the classes a user runs, and
service refusals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
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


def refusal_onto_form(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form it answers: beside each field it names, the rest
    above the form. The form then re-renders with what was typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_page(form: forms.BaseForm, action):
    """The one way a custom form page writes: when the bound ``form`` is valid, run
    ``action(cleaned_data)`` (a service call). Returns what the action returned, or None when
    the form or the service refused, the refusal then sitting on the form beside the
    field (or row) it concerns, the input kept."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        refusal_onto_form(form, error)
        return None


class ServiceFormMixin:
    """Runs the add/change form's save through a service. A refusal re-renders the form with
    the input kept and the service's message on it (nothing of the first try is kept: the
    admin's transaction is rolled back)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            if request.method != "POST":
                raise
            request._service_refusal = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        def _post_clean(form):
            form_class._post_clean(form)
            refusal_onto_form(form, refusal)

        return type(form_class.__name__, (form_class,), {"_post_clean": _post_clean})


MAX_POSTED_ID = 2**63 - 1  # the largest primary key the databases hold


def posted_id(key: str, prefix: str) -> int | None:
    """The row id in a posted field name such as ``status-12``; None when it is not one."""
    raw = key.removeprefix(prefix)
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_POSTED_ID else None
