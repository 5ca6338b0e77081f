from django.contrib.auth import views as auth_views
from django.urls import path

from notifications.views import reminder_settings
from portal import views
from portal.forms import LoginForm

app_name = "portal"

# Every page an e-mail may link to has its name here. Pages not built yet open the start page.
urlpatterns = [
    path(
        "masuk/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("kuota/<int:enrollment_id>/", views.home, name="offer"),
    path("kelas/<int:cohort_id>/", views.home, name="class_detail"),
    path("sertifikasi/<int:case_id>/", views.home, name="case_detail"),
    path("sertifikasi/<int:case_id>/unggah/", views.home, name="case_upload"),
    path("sertifikat/<int:certificate_id>/", views.home, name="certificate_detail"),
    path("ekspor/lapor/", views.home, name="export_report"),
    path("ekspor/<int:export_id>/", views.home, name="export_detail"),
    path("kepesertaan/<int:enrollment_id>/data-12-bulan/", views.home, name="snapshot"),
    path("pengingat/", views.home, name="reminders"),
    path("akun/pengingat/", reminder_settings, name="reminder_settings"),
]
