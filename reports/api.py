"""The funders' REST API under /api/v1/: read-only, scoped to the caller's programmes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts import roles
from accounts.models import Funder, TradeOffice
from cohorts.models import Attendance, Cohort, Enrollment, Stage
from reports import selectors, services, summaries, tabular
from reports import serializers as s
from reports.models import FunderAPIKey, ReportSnapshot

# --- who is calling --------------------------------------------------------------------


class FunderKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``: a funder's key; missing from the header, the next
    method (the session) is tried; present but unknown, expired or revoked: 401."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        key = header[len(self.keyword) + 1 :].strip()
        try:
            api_key = FunderAPIKey.objects.get_from_key(key)
        except FunderAPIKey.DoesNotExist:
            raise AuthenticationFailed(_("The API key is not valid or was revoked.")) from None
        if api_key.has_expired:
            raise AuthenticationFailed(_("The API key has expired."))
        services.api_key_touch(api_key=api_key)
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return self.keyword


class ReportReader(BasePermission):
    """A funder's key, or a signed-in analyst, national viewer, staff member or platform
    admin. Anyone else signed in gets a 404, as for a page that does not exist."""

    def has_permission(self, request, view):
        if isinstance(request.auth, FunderAPIKey):
            return True
        if not request.user.is_authenticated:
            return False
        if selectors.may_read_reports(request.user):
            return True
        raise NotFound()


class PerCallerThrottle(SimpleRateThrottle):
    """Requests per key (or per signed-in user), counted in the shared cache."""

    scope = "reports"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, FunderAPIKey):
            ident = f"key-{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


@dataclass
class Caller:
    scope: selectors.Scope
    funder: Funder | None = None
    office: TradeOffice | None = None
    api_key: FunderAPIKey | None = None


def caller_of(request) -> Caller:
    if isinstance(request.auth, FunderAPIKey):
        funder = request.auth.funder
        return Caller(selectors.scope_for_funder(funder), funder=funder, api_key=request.auth)
    user = request.user
    scope = selectors.scope_for_user(user)
    funder = office = None
    if not roles.reads_everything(user):
        if roles.office_ids(user):
            office = TradeOffice.objects.filter(pk__in=roles.office_ids(user)).first()
        elif roles.funder_ids(user):
            funder = Funder.objects.filter(pk__in=roles.funder_ids(user)).first()
    return Caller(scope, funder=funder, office=office)


def report_filters(caller: Caller, data: dict) -> selectors.ReportFilters:
    """The validated query as selector filters; a programme or stage outside the caller's
    scope is a 404, as if it did not exist."""
    program = None
    programs = caller.scope.program_queryset()
    if data.get("program"):
        program = programs.filter(pk=data["program"]).first()
        if program is None:
            raise NotFound(_("No such programme."))
    if data.get("stage"):
        stages = Stage.objects.filter(program__in=programs.values("pk"), pk=data["stage"])
        if not stages.exists():
            raise NotFound(_("No such stage."))
    return selectors.ReportFilters(
        program=program,
        stage_id=data.get("stage"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        province=data.get("province") or None,
        regency=data.get("regency") or None,
        sector=data.get("sector") or None,
    )


# --- base views ------------------------------------------------------------------------

FIELD_LABELS = {
    "key": _("key"),
    "label": _("group"),
    "suppressed": _("suppressed"),
    "enterprises": _("enterprises"),
    "period": _("period"),
    "value": _("value"),
    "value_usd": _("value (USD)"),
    "applicants": _("applicants"),
    "selected": _("selected"),
    "enterprises_enrolled": _("enterprises enrolled"),
    "enrollments_by_level": _("enrollments by level"),
    "completed_by_level": _("completed by level"),
    "dropouts": _("dropouts"),
    "completion_rate": _("completion rate"),
    "attendance_rate": _("attendance rate"),
    "level_progressions": _("level progressions"),
    "certification_cases_by_family": _("certification requests by family"),
    "certificates_granted_by_family": _("certificates granted by family"),
    "certificates_granted_by_scheme": _("certificates granted by scheme"),
    "certificates_active": _("active certificates"),
    "nib_obtained": _("NIB obtained"),
    "new_exporters": _("new exporters"),
    "repeat_exporters": _("repeat exporters"),
    "new_destinations": _("new destinations"),
    "export_value_idr": _("export value (Rp)"),
    "export_value_usd": _("export value (USD)"),
    "destination_countries": _("destination countries"),
    "women_owned_share": _("women-owned share"),
    "women_led_share": _("women-led share"),
    "employees_women": _("employees (women)"),
    "employees_men": _("employees (men)"),
    "size_class_upgrades": _("size class upgrades"),
    "subsidy_idr": _("subsidy (Rp)"),
    "as_of": _("as of"),
    "targets": _("targets"),
    "id": _("id"),
    "name": _("name"),
    "nib": _("NIB"),
    "regency": _("regency or city"),
    "sector": _("sector"),
    "enterprise_id": _("enterprise id"),
    "first_export_date": _("first export date"),
    "channel": _("channel"),
    "destination": _("destination"),
    "program": _("programme"),
    "stage": _("stage"),
    "level": _("level"),
    "capacity": _("capacity"),
    "enrolled": _("enrolled"),
    "waitlisted": _("waiting list"),
    "completed": _("completed"),
    "office": _("office"),
    "start_date": _("start date"),
    "end_date": _("end date"),
    "target_participants": _("target participants"),
    "target_new_exporters": _("target new exporters"),
    "target_basis": _("basis of the targets"),
    "fundings": _("fundings"),
}


class ReportAPIMixin:
    authentication_classes = [FunderKeyAuthentication, SessionAuthentication]
    permission_classes = [ReportReader]
    throttle_classes = [PerCallerThrottle]
    renderer_classes = [JSONRenderer, tabular.CSVRenderer, tabular.XLSXRenderer]
    http_method_names = ["get", "head", "options"]
    query_serializer_class = s.ReportQuerySerializer
    filename = "report"

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever format was asked for: a client reads them the same way.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and getattr(renderer, "format", "") in ("csv", "xlsx"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        computed_at = getattr(self, "computed_at", None)
        if computed_at is not None and response.status_code == 200:
            response["Last-Modified"] = http_date(computed_at.timestamp())
        return response

    def query(self) -> dict:
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def caller(self) -> Caller:
        if not hasattr(self, "_caller"):
            self._caller = caller_of(self.request)
        return self._caller

    def filters(self, data) -> selectors.ReportFilters:
        return report_filters(self.caller(), data)

    def report(self, report: str, data: dict, **options):
        """The report's payload from the summary tables (at most REPORT_SUMMARY_MAX_AGE old);
        its age goes out as the `Last-Modified` header and, in a summary, as `as_of`."""
        question = summaries.Question.of(report, self.caller().scope, self.filters(data), **options)
        payload, self.computed_at = summaries.read(question)
        return payload

    @property
    def tabular_format(self) -> str | None:
        fmt = getattr(self.request.accepted_renderer, "format", "json")
        return fmt if fmt in ("csv", "xlsx") else None

    def table(self, rows: list[dict], labels: str | None):
        flat = tabular.flatten_rows(rows)
        columns = list(flat[0]) if flat else []
        values = ([row.get(c) for c in columns] for row in flat)
        return tabular.table_response(
            self.tabular_format, columns, values, self.filename, FIELD_LABELS, labels
        )


class Cursor(CursorPagination):
    ordering = "pk"
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"


class ReportListView(ReportAPIMixin, generics.ListAPIView):
    """A list: cursor pages in JSON; every row, streamed, in CSV; every row in XLSX."""

    pagination_class = Cursor

    def list(self, request, *args, **kwargs):
        data = self.query()
        self.query_data = data
        queryset = self.filter_queryset(self.get_queryset())
        if self.tabular_format:
            serializer_class = self.get_serializer_class()
            context = self.get_serializer_context()
            rows = (
                tabular.flatten(serializer_class(obj, context=context).data)
                for obj in queryset.order_by("pk").iterator(chunk_size=2000)
            )
            first = next(rows, None)
            columns = list(first) if first else list(serializer_class().fields)

            def values():
                if first is not None:
                    yield [first.get(c) for c in columns]
                for row in rows:
                    yield [row.get(c) for c in columns]

            return tabular.table_response(
                self.tabular_format,
                columns,
                values(),
                self.filename,
                FIELD_LABELS,
                data.get("labels"),
            )
        return super().list(request, *args, **kwargs)


# --- endpoints -------------------------------------------------------------------------


@extend_schema(parameters=[s.ReportQuerySerializer], tags=["programmes"])
class ProgramList(ReportListView):
    """Programmes the caller reads, with their funding and targets (and their basis)."""

    serializer_class = s.ProgramSerializer
    filename = "programs"

    def get_queryset(self):
        queryset = self.caller().scope.program_queryset()
        data = getattr(self, "query_data", {})
        if data.get("program"):
            queryset = queryset.filter(pk=data["program"])
        return queryset.select_related("office").prefetch_related("fundings__funder")


@extend_schema(tags=["programmes"])
class ProgramDetail(ReportAPIMixin, generics.RetrieveAPIView):
    """One programme; another funder's programme is a 404."""

    serializer_class = s.ProgramSerializer
    queryset = None

    def get_queryset(self):
        return (
            self.caller()
            .scope.program_queryset()
            .select_related("office")
            .prefetch_related("fundings__funder")
        )


@extend_schema(parameters=[s.ReportQuerySerializer], tags=["programmes"])
class CohortList(ReportListView):
    """Classes of the caller's programmes: level, capacity, enrolled, waiting, completed and
    attendance rate."""

    serializer_class = s.CohortSerializer
    filename = "cohorts"

    def get_queryset(self):
        data = getattr(self, "query_data", {})
        filters = self.filters(data)
        programs = self.caller().scope.program_queryset()
        queryset = Cohort.objects.filter(stage__program__in=programs.values("pk"))
        if filters.program is not None:
            queryset = queryset.filter(stage__program=filters.program)
        if filters.stage_id:
            queryset = queryset.filter(stage_id=filters.stage_id)
        # Every figure is a correlated subquery per class on the page (indexed by class), not
        # an aggregate over a join: a GROUP BY would repeat the attendance subqueries for
        # every enrollment row of every class.
        marks = (
            Attendance.objects.filter(
                enrollment__cohort=OuterRef("pk"), session__cancelled_at__isnull=True
            )
            .order_by()
            .values("enrollment__cohort")
        )
        seats = Enrollment.objects.filter(cohort=OuterRef("pk")).order_by().values("cohort")

        def counted(rows):
            return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)

        return queryset.select_related("stage").annotate(
            enrolled=counted(seats.filter(enrolled_at__isnull=False)),
            waitlisted=counted(seats.filter(status=Enrollment.Status.WAITLISTED)),
            completed=counted(seats.filter(status=Enrollment.Status.COMPLETED)),
            marks_all=counted(marks),
            marks_present=counted(marks.filter(status="present")),
        )


@extend_schema(
    parameters=[s.ReportQuerySerializer],
    responses={200: s.SummarySerializer},
    tags=["reports"],
)
class SummaryView(ReportAPIMixin, APIView):
    """Every indicator of the caller's programmes, with the targets. Each indicator is
    filtered on its own event date (see each field)."""

    filename = "summary"

    def get(self, request, *args, **kwargs):
        data = self.query()
        payload = self.report("summary", data)
        if self.tabular_format:
            return self.table([payload], data.get("labels"))
        return Response(payload)


@extend_schema(
    parameters=[s.BreakdownQuerySerializer],
    responses={200: s.BreakdownRowSerializer(many=True)},
    tags=["reports"],
)
class BreakdownView(ReportAPIMixin, APIView):
    """The indicators per group (`by`); a group of fewer than 5 enterprises is suppressed."""

    query_serializer_class = s.BreakdownQuerySerializer
    filename = "breakdown"

    def get(self, request, *args, **kwargs):
        data = self.query()
        payload = self.report("breakdown", data, by=data["by"])
        if self.tabular_format:
            return self.table(payload, data.get("labels"))
        return Response(payload)


@extend_schema(
    parameters=[s.TimeseriesQuerySerializer],
    responses={200: s.TimeseriesPointSerializer(many=True)},
    tags=["reports"],
)
class TimeseriesView(ReportAPIMixin, APIView):
    """One metric per period, oldest first; periods with nothing are left out."""

    query_serializer_class = s.TimeseriesQuerySerializer
    filename = "timeseries"

    def get(self, request, *args, **kwargs):
        data = self.query()
        payload = self.report("timeseries", data, metric=data["metric"], interval=data["interval"])
        if self.tabular_format:
            return self.table(payload, data.get("labels"))
        return Response(payload)


@extend_schema(parameters=[s.ReportQuerySerializer], tags=["reports"])
class NewExporterList(ReportListView):
    """New exporters that consented to share their data with funders, one row each with the
    first export. Every pull is logged with the key or user and the time."""

    serializer_class = s.NewExporterSerializer
    filename = "new-exporters"

    def get_queryset(self):
        data = getattr(self, "query_data", {})
        return selectors.new_exporter_rows(self.caller().scope, self.filters(data))

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        services.enterprise_data_pull_log(
            api_key=self.caller().api_key,
            user=request.user,
            endpoint="new-exporters",
            query=request.META.get("QUERY_STRING", ""),
        )
        return response


class SnapshotCreateSerializer(s.ReportQuerySerializer):
    name = serializers.CharField(max_length=200, help_text=_("A name for the snapshot."))


def snapshots_of(caller: Caller):
    if caller.api_key is not None or caller.funder is not None:
        return ReportSnapshot.objects.filter(funder=caller.funder)
    if caller.office is not None:
        return ReportSnapshot.objects.filter(office=caller.office)
    return ReportSnapshot.objects.all()


@extend_schema(tags=["snapshots"])
class SnapshotList(ReportListView):
    """Frozen summaries of the caller's funder or office (all, for national viewers). POST
    freezes the summary read now with the filters given, under a name."""

    serializer_class = s.SnapshotSerializer
    http_method_names = ["get", "post", "head", "options"]
    filename = "snapshots"

    def get_queryset(self):
        return snapshots_of(self.caller())

    @extend_schema(parameters=[s.ReportQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SnapshotCreateSerializer,
        responses={201: s.SnapshotSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def post(self, request, *args, **kwargs):
        form = SnapshotCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        name = data.pop("name")
        data.pop("labels", None)
        caller = self.caller()
        summary = selectors.summary(caller.scope, report_filters(caller, data))
        snapshot = services.report_snapshot_create(
            name=name,
            summary=s.SummarySerializer(summary).data,
            filters=data,
            funder=caller.funder,
            office=caller.office,
            actor=request.user,
            api_key=caller.api_key,
        )
        return Response(s.SnapshotSerializer(snapshot).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["snapshots"])
class SnapshotDetail(ReportAPIMixin, generics.RetrieveAPIView):
    """One snapshot, exactly as it was frozen."""

    serializer_class = s.SnapshotSerializer

    def get_queryset(self):
        return snapshots_of(self.caller())

    def retrieve(self, request, *args, **kwargs):
        try:
            snapshot = self.get_object()
        except Http404:
            raise NotFound() from None
        payload = s.SnapshotSerializer(snapshot).data
        if self.tabular_format:
            return self.table([payload["data"]], request.query_params.get("labels"))
        return Response(payload)


@extend_schema(exclude=True)
class ApiRoot(ReportAPIMixin, APIView):
    """Where each endpoint is, for a person exploring the API."""

    renderer_classes = [JSONRenderer]

    def get(self, request, *args, **kwargs):
        from django.urls import reverse

        names = ["programs", "cohorts", "summary", "breakdown", "timeseries", "new-exporters",
                 "snapshots"]  # fmt: skip
        links = {name: request.build_absolute_uri(reverse(f"reports:api-{name}")) for name in names}
        links["schema"] = request.build_absolute_uri(reverse("reports:schema"))
        links["docs"] = request.build_absolute_uri(reverse("reports:docs"))
        return Response(links)
