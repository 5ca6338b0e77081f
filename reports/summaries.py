"""Summary tables for the funders' reports: a report computed once serves every caller
with the same programmes, filters and language until it is REPORT_SUMMARY_MAX_AGE old.

Live aggregates over every enrollment, case and export of a province cost the database a
full pass each time; a funder's dashboard asks the same question again and again. The API
reads `ReportSummary` rows; beat recomputes the rows read in the last day every five minutes
(`refresh`), so a report is at most REPORT_SUMMARY_MAX_AGE old, and that age is the
report's ``as_of``. A row older than that is never served: the caller gets a fresh one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cohorts.models import Program, Stage

from . import selectors
from . import serializers as s
from .models import ReportSummary

REFRESH_AFTER = dt.timedelta(minutes=5)
KEEP_READ_FOR = dt.timedelta(days=1)


def max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REPORT_SUMMARY_MAX_AGE)


@dataclass(frozen=True)
class Question:
    """What a report answers: the programmes read, the filters, the report and its options."""

    report: str  # summary | breakdown | timeseries
    programs: tuple[int, ...] | None  # None: every programme (national)
    filters: dict
    options: dict
    language: str

    @classmethod
    def of(cls, report: str, scope: selectors.Scope, filters, **options) -> Question:
        programs = None
        if scope.programs is not None:
            programs = tuple(sorted(scope.programs.values_list("pk", flat=True)))
        return cls(
            report=report,
            programs=programs,
            filters=_filters_params(filters),
            options=options,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )

    @property
    def params(self) -> dict:
        return {
            "programs": list(self.programs) if self.programs is not None else None,
            "filters": self.filters,
            "options": self.options,
            "language": self.language,
        }

    @property
    def key(self) -> str:
        text = json.dumps([self.report, self.params], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def scope(self) -> selectors.Scope:
        if self.programs is None:
            return selectors.Scope()
        return selectors.Scope(programs=Program.objects.filter(pk__in=self.programs))

    def report_filters(self) -> selectors.ReportFilters:
        f = self.filters
        program = Program.objects.filter(pk=f["program"]).first() if f.get("program") else None
        return selectors.ReportFilters(
            program=program,
            stage_id=f.get("stage_id"),
            date_from=dt.date.fromisoformat(f["date_from"]) if f.get("date_from") else None,
            date_to=dt.date.fromisoformat(f["date_to"]) if f.get("date_to") else None,
            province=f.get("province"),
            regency=f.get("regency"),
            sector=f.get("sector"),
        )


def _filters_params(filters: selectors.ReportFilters) -> dict:
    params = {
        "program": filters.program.pk if filters.program is not None else None,
        "stage_id": filters.stage_id,
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "province": filters.province,
        "regency": filters.regency,
        "sector": filters.sector,
    }
    return {name: value for name, value in params.items() if value is not None}


def _summary(q: Question):
    return s.SummarySerializer(selectors.summary(q.scope(), q.report_filters())).data


def _breakdown(q: Question):
    rows = selectors.breakdown(q.scope(), q.report_filters(), q.options["by"])
    return s.BreakdownRowSerializer(rows, many=True).data


def _timeseries(q: Question):
    points = selectors.timeseries(
        q.scope(), q.report_filters(), q.options["metric"], q.options["interval"]
    )
    return s.TimeseriesPointSerializer(points, many=True).data


# What each report computes, from a Question to its serialised payload.
COMPUTE: dict[str, Callable[[Question], object]] = {
    "summary": _summary,
    "breakdown": _breakdown,
    "timeseries": _timeseries,
}


def read(question: Question) -> tuple[object, dt.datetime]:
    """The payload answering ``question`` and when it was computed: a stored one younger
    than REPORT_SUMMARY_MAX_AGE, else computed now and stored."""
    now = timezone.now()
    row = (
        ReportSummary.objects.filter(key=question.key, computed_at__gt=now - max_age())
        .values_list("pk", "payload", "computed_at", "read_at")
        .first()
    )
    if row is not None:
        pk, payload, computed_at, read_at = row
        if read_at < now - REFRESH_AFTER:  # keep it in the refresh set, without a write per read
            ReportSummary.objects.filter(pk=pk).update(read_at=now)
        return payload, computed_at
    return _store(question, read_at=now)


def _store(question: Question, *, read_at: dt.datetime | None) -> tuple[object, dt.datetime]:
    computed_at = timezone.now()
    with translation.override(question.language):
        payload = COMPUTE[question.report](question)
    # The payload as JSON would give it back, so a stored read equals a fresh one.
    payload = json.loads(json.dumps(payload, cls=ReportSummary._meta.get_field("payload").encoder))
    values = {"report": question.report, "params": question.params, "payload": payload}
    values["computed_at"] = computed_at
    if read_at is not None:
        values["read_at"] = read_at
    try:
        with transaction.atomic():
            updated = ReportSummary.objects.filter(key=question.key).update(**values)
            if not updated:
                values.setdefault("read_at", computed_at)
                ReportSummary.objects.create(key=question.key, **values)
    except IntegrityError:  # another request stored the same report a moment ago
        pass
    return payload, computed_at


def _question(row: ReportSummary) -> Question:
    params = row.params
    programs = params["programs"]
    return Question(
        report=row.report,
        programs=tuple(programs) if programs is not None else None,
        filters=params["filters"],
        options=params["options"],
        language=params["language"],
    )


def refresh(now: dt.datetime | None = None) -> dict:
    """Recompute the summaries read in the last day that are older than five minutes, and
    forget the ones nobody read for a day. Safe to run twice, and alongside requests."""
    now = now or timezone.now()
    ReportSummary.objects.filter(read_at__lt=now - KEEP_READ_FOR).delete()
    refreshed = failed = 0
    due = ReportSummary.objects.filter(computed_at__lte=now - REFRESH_AFTER).order_by("read_at")
    for row in due.iterator():
        question = _question(row)
        if question.report not in COMPUTE:
            row.delete()
            continue
        programs_left = question.programs is None or Program.objects.filter(
            pk__in=question.programs
        ).count() == len(question.programs)
        stage = question.filters.get("stage_id")
        if not programs_left or (stage and not Stage.objects.filter(pk=stage).exists()):
            row.delete()  # a programme or stage it reads is gone: the next read recomputes
            failed += 1
            continue
        _store(question, read_at=None)
        refreshed += 1
    return {"refreshed": refreshed, "dropped": failed}
