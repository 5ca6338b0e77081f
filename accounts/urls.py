from django.urls import path

from accounts import two_factor

app_name = "accounts"

urlpatterns = [
    path("akun/dua-faktor/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("akun/dua-faktor/verifikasi/", two_factor.two_factor_verify, name="two_factor_verify"),
]
