from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.health import healthz

admin.site.site_header = _("NaikKelas administration")
admin.site.site_title = _("NaikKelas")
admin.site.index_title = _("Export programme administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    # Request documents: served only through the permission check of this view.
    path("", include("certifications.urls")),
    # The funders' API (/api/v1/, /api/schema/, /api/docs/) and the reports page (/laporan/).
    path("", include("reports.urls")),
    path("", include("portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
