"""Two-factor sign-in (TOTP) for staff and superusers, required by STAFF_TWO_FACTOR_REQUIRED.

A staff session that has not passed its second factor reaches only the pages that set one up
or check it (and signing out): every other request is sent there first, the page it asked for
kept in ``next``."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles

EXEMPT_PREFIXES = ("/static/", "/i18n/", "/healthz")


def needs_second_factor(user) -> bool:
    """Staff of an office, national viewers and superusers: everyone who uses the admin."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_staff or roles.is_office_staff(user))


def _confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.STAFF_TWO_FACTOR_REQUIRED
            and needs_second_factor(user)
            and not user.is_verified()
            and not self._exempt(request.path_info)
        ):
            name = "two_factor_verify" if _confirmed_device(user) else "two_factor_setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(f'accounts:{name}')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = {
            reverse("accounts:two_factor_setup"),
            reverse("accounts:two_factor_verify"),
            reverse("portal:logout"),
            reverse("admin:logout"),
        }
        return path in allowed or path.startswith(EXEMPT_PREFIXES)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from the authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("The code is made of digits only."))
        return token


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _readable_key(device: TOTPDevice) -> str:
    try:
        raw = binascii.unhexlify(device.key)
    except (binascii.Error, ValueError):
        return ""
    key = base64.b32encode(raw).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
def two_factor_setup(request):
    """Pair an authenticator app: scan the code (or type the key), then confirm one code."""
    if not needs_second_factor(request.user):
        return redirect("portal:home")
    if _confirmed_device(request.user):
        return redirect(
            f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': _next_url(request)})}"
        )
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "NaikKelas"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "token", _("This code is not right. Check the time on your phone and try again.")
        )
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr": qr, "key": _readable_key(device), "next": _next_url(request)},
    )


@login_required
def two_factor_verify(request):
    """The second step of signing in: one code from the paired app."""
    if not needs_second_factor(request.user):
        return redirect("portal:home")
    if not _confirmed_device(request.user):
        return redirect(
            f"{reverse('accounts:two_factor_setup')}?{urlencode({'next': _next_url(request)})}"
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _(
                "This code is not right, or too many wrong codes were tried; "
                "wait a moment and try again."
            ),
        )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )
