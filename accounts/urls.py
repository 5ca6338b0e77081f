from django.urls import path

from accounts import two_factor, views

app_name = "accounts"

urlpatterns = [
    path("akun/dua-faktor/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("akun/dua-faktor/verifikasi/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("akun/data-pribadi/", views.personal_data_download, name="personal_data"),
]
