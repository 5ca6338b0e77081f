from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from notifications.views import reminder_settings
from portal import views

app_name = "portal"

# Every page an e-mail may link to has its name here.
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("masuk/lupa-sandi/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "masuk/lupa-sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(template_name="portal/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "masuk/sandi-baru/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="portal/password_reset_confirm.html",
            success_url=reverse_lazy("portal:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "masuk/sandi-baru/selesai/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="portal/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("", views.home, name="home"),
    path("usaha/pilih/", views.switch_enterprise, name="switch_enterprise"),
    path("kuota/<int:enrollment_id>/", views.offer, name="offer"),
    path("daftar/", views.apply, name="apply"),
    path("kelas/", views.classes, name="classes"),
    path("kelas/<int:cohort_id>/", views.class_detail, name="class_detail"),
    path("kelas/<int:cohort_id>/kalender.ics", views.class_ics, name="class_ics"),
    path("sertifikasi/", views.cases, name="cases"),
    path("sertifikasi/baru/", views.case_new, name="case_new"),
    path("sertifikasi/<int:case_id>/", views.case_detail, name="case_detail"),
    path("sertifikasi/<int:case_id>/unggah/", views.case_upload, name="case_upload"),
    path(
        "kelas/<int:cohort_id>/sertifikat.pdf",
        views.training_certificate,
        name="training_certificate",
    ),
    path("verifikasi/<str:token>/", views.verify, name="verify"),
    path("akun/profil/", views.profile, name="profile"),
    path("undangan/<str:token>/", views.invitation, name="invitation"),
    path("akun/kalender/", views.calendar_feed, name="calendar_feed"),
    path("kalender/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
    path("sertifikat/<int:certificate_id>/", views.certificate_detail, name="certificate_detail"),
    path("ekspor/", views.exports, name="exports"),
    path("ekspor/lapor/", views.export_report, name="export_report"),
    path("ekspor/<int:export_id>/", views.export_detail, name="export_detail"),
    path("kepesertaan/<int:enrollment_id>/data-12-bulan/", views.snapshot, name="snapshot"),
    path("pengingat/", views.reminders, name="reminders"),
    path("akun/pengingat/", reminder_settings, name="reminder_settings"),
]
