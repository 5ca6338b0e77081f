"""Sign-in throttling per account and address, and the second factor for staff."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

LOGIN = "/masuk/"


def _sign_in(client, email, password, address="203.0.113.7", **extra):
    return client.post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_the_account_from_that_address(client, participant_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, participant_a.email, "salah").status_code == 200
    locked = _sign_in(client, participant_a.email, "salah")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Masuk dikunci" in page and "30 menit" in page
    # Even the right password is refused while locked, whatever the capitals.
    assert _sign_in(client, participant_a.email.upper(), PASSWORD).status_code == 429
    # Another address is not locked out by someone else's guessing.
    other = _sign_in(client, participant_a.email, PASSWORD, address="198.51.100.9")
    assert other.status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, participant_a, settings):
    start = dt.datetime(2031, 3, 10, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, participant_a.email, "salah")
        assert _sign_in(client, participant_a.email, PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=29))
        assert _sign_in(client, participant_a.email, PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        response = _sign_in(client, participant_a.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_escape_the_lock(client, participant_a, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, participant_a.email, "salah", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = _sign_in(client, participant_a.email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_the_address_nginx_saw_counts(client, participant_a, settings):
    """nginx sets X-Forwarded-For to its peer; what a client wrote before it is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "172.18.0.5"
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(
            client,
            participant_a.email,
            "salah",
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7",
        )
    attacker = _sign_in(
        client, participant_a.email, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert attacker.status_code == 429
    owner = _sign_in(
        client, participant_a.email, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert owner.status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_throttled_too(client, staff_lampung, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/",
            {"username": staff_lampung.email, "password": "salah"},
            REMOTE_ADDR="203.0.113.7",
        )
    response = client.post(
        "/admin/login/",
        {"username": staff_lampung.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 429


# --- two-factor ---


@pytest.fixture
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=offset):06d}"


@pytest.mark.django_db
def test_staff_pair_an_app_before_the_admin_opens(client, staff_lampung, two_factor_on):
    client.force_login(staff_lampung)
    response = client.get("/admin/cohorts/cohort/")
    setup = reverse("accounts:two_factor_setup")
    assert response.status_code == 302
    assert response["Location"].startswith(setup)
    page = client.get(response["Location"]).content.decode()
    assert "data:image/svg+xml" in page  # the QR code to scan
    device = TOTPDevice.objects.get(user=staff_lampung, confirmed=False)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as clock:
        wrong = client.post(setup, {"token": "000000", "next": "/admin/cohorts/cohort/"})
        assert wrong.status_code == 200 and "tidak benar" in wrong.content.decode()
        clock.shift(dt.timedelta(seconds=5))  # a wrong code slows the next try down a little
        right = client.post(setup, {"token": _code(device), "next": "/admin/cohorts/cohort/"})
    assert right.status_code == 302 and right["Location"] == "/admin/cohorts/cohort/"
    assert client.get("/admin/cohorts/cohort/").status_code == 200


@pytest.mark.django_db
def test_a_paired_staff_member_gives_a_code_at_each_sign_in(client, staff_lampung, two_factor_on):
    device = TOTPDevice.objects.create(user=staff_lampung, name="ponsel", confirmed=True)
    client.force_login(staff_lampung)
    response = client.get("/admin/")
    verify = reverse("accounts:two_factor_verify")
    assert response["Location"].startswith(verify)
    # Nothing of the admin is reachable meanwhile, nor by typing another address.
    assert client.get("/admin/accounts/enterprise/").status_code == 302
    assert client.post(verify, {"token": "12345x"}).status_code == 200
    assert client.get("/admin/").status_code == 302
    ok = client.post(verify, {"token": _code(device), "next": "/admin/"})
    assert ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_an_outside_next_address_is_not_followed(client, staff_lampung, two_factor_on):
    device = TOTPDevice.objects.create(user=staff_lampung, name="ponsel", confirmed=True)
    client.force_login(staff_lampung)
    verify = reverse("accounts:two_factor_verify")
    response = client.post(verify, {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_participants_and_analysts_sign_in_with_a_password_alone(
    client, participant_a, analyst_lpei, two_factor_on
):
    for user in (participant_a, analyst_lpei):
        client.force_login(user)
        response = client.get("/", follow=True)  # an analyst is taken on to the reports
        assert response.status_code == 200
        assert "dua-faktor" not in response.request["PATH_INFO"]
        client.logout()


@pytest.mark.django_db
def test_without_the_setting_staff_are_not_asked(client, staff_lampung, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    client.force_login(staff_lampung)
    assert client.get("/admin/").status_code == 200
