from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from reports import api, views

app_name = "reports"

urlpatterns = [
    path("laporan/", views.home, name="home"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="reports:schema"), name="docs"),
    path("api/v1/", api.ApiRoot.as_view(), name="api-root"),
    path("api/v1/programs/", api.ProgramList.as_view(), name="api-programs"),
    path("api/v1/programs/<str:pk>/", api.ProgramDetail.as_view(), name="api-program"),
    path("api/v1/cohorts/", api.CohortList.as_view(), name="api-cohorts"),
    path("api/v1/reports/summary/", api.SummaryView.as_view(), name="api-summary"),
    path("api/v1/reports/breakdown/", api.BreakdownView.as_view(), name="api-breakdown"),
    path("api/v1/reports/timeseries/", api.TimeseriesView.as_view(), name="api-timeseries"),
    path("api/v1/new-exporters/", api.NewExporterList.as_view(), name="api-new-exporters"),
    path("api/v1/snapshots/", api.SnapshotList.as_view(), name="api-snapshots"),
    path("api/v1/snapshots/<str:pk>/", api.SnapshotDetail.as_view(), name="api-snapshot"),
]
