"""The pipeline page: requests per status for each scheme, and what they cost and who pays.

Counts come from one aggregate query over the requests the user may see; each count links
to the request list filtered to it. Money is summed in the database per programme and per
funder.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Funder
from certifications import selectors
from certifications.admin.common import page_context
from certifications.models import Case, Scheme
from cohorts.models import Program


def _scheme_name(row: dict) -> str:
    english = (get_language() or "id").startswith("en")
    return row["scheme__name_en"] if english else row["scheme__name_id"]


class CasePipelineMixin:
    """The pipeline page of the request admin, at ``admin:certifications_pipeline``."""

    def get_urls(self):
        return [
            path(
                "pipeline/",
                self.admin_site.admin_view(self.pipeline_view),
                name="certifications_pipeline",
            ),
            *super().get_urls(),
        ]

    def pipeline_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        cases = self.scoped_queryset(request)
        changelist = reverse("admin:certifications_case_changelist")

        def link(**params) -> str:
            return f"{changelist}?{urlencode(params)}" if params else changelist

        statuses = list(Case.Status)
        families = dict(Scheme.Family.choices)
        family_order = {family: index for index, family in enumerate(Scheme.Family.values)}
        rows = []
        totals = dict.fromkeys(Case.Status.values, 0)
        counted = sorted(
            selectors.case_pipeline(cases),
            key=lambda row: (family_order.get(row["scheme__family"], 99), _scheme_name(row)),
        )
        for row in counted:
            scheme = row["scheme"]
            rows.append(
                {
                    "name": _scheme_name(row),
                    "family": families.get(row["scheme__family"], ""),
                    "cells": [
                        (row[status], link(scheme__id__exact=scheme, status__exact=status))
                        for status in Case.Status.values
                    ],
                    "total": row["total"],
                    "url": link(scheme__id__exact=scheme),
                }
            )
            for status in Case.Status.values:
                totals[status] += row[status]
        footer = [(totals[s], link(status__exact=s)) for s in Case.Status.values]
        return TemplateResponse(
            request,
            "admin/certifications/case/pipeline.html",
            page_context(
                self,
                request,
                _("Certification pipeline"),
                statuses=statuses,
                rows=rows,
                footer=footer,
                grand_total=sum(totals.values()),
                all_url=link(),
                by_program=self._money_by_program(cases, link),
                by_funder=self._money_by_funder(cases, link),
            ),
        )

    def _money_by_program(self, cases, link) -> list[dict]:
        rows = list(selectors.case_money_by_program(cases))
        programs = Program.objects.in_bulk([r["program"] for r in rows if r["program"]])
        return [
            {
                "name": programs[r["program"]].name if r["program"] else _("Outside any programme"),
                "url": link(program__id__exact=r["program"]) if r["program"] else None,
                **r,
            }
            for r in rows
        ]

    def _money_by_funder(self, cases, link) -> list[dict]:
        rows = list(selectors.case_money_by_funder(cases))
        funders = Funder.objects.in_bulk([r["subsidy_funder"] for r in rows])
        return [
            {
                "name": str(funders[r["subsidy_funder"]]),
                "url": link(subsidy_funder__id__exact=r["subsidy_funder"]),
                **r,
            }
            for r in rows
        ]
