"""The portal's sign-in and the admin open in Indonesian; English is a choice away."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_login_page_speaks_indonesian_by_default(client):
    response = client.get(reverse("portal:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="id">' in content
    assert "Masuk" in content
    assert "Alamat e-mail" in content


@pytest.mark.django_db
def test_login_page_in_english_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/masuk/"})
    content = client.get(reverse("portal:login")).content.decode()
    assert '<html lang="en">' in content
    assert "Sign in" in content


def test_participant_signs_in_with_email_and_sees_their_enterprise(
    client, participant_a, enterprise_a, enterprise_b
):
    response = client.post(
        reverse("portal:login"), {"username": participant_a.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(reverse("portal:home")).content.decode()
    assert enterprise_a.name in page
    assert enterprise_b.name not in page


@pytest.mark.django_db
def test_wrong_password_is_explained_in_indonesian(client, participant_a):
    response = client.post(
        reverse("portal:login"), {"username": participant_a.email, "password": "salah"}
    )
    assert response.status_code == 200
    assert "Alamat e-mail atau kata sandi salah" in response.content.decode()


def test_user_preferred_language_applies_after_sign_in(client, participant_a):
    participant_a.preferred_language = "en"
    participant_a.save()
    client.force_login(participant_a)
    content = client.get(reverse("portal:home")).content.decode()
    assert "Welcome" in content


def test_sign_out_ends_the_session(client, participant_a):
    client.force_login(participant_a)
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302


@pytest.mark.django_db
def test_home_requires_sign_in(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))


@pytest.mark.django_db
def test_admin_login_page_speaks_indonesian(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Administrasi NaikKelas" in response.content.decode()


def test_staff_reach_the_admin_and_participants_do_not(client, staff_lampung, participant_a):
    client.force_login(staff_lampung)
    assert client.get("/admin/").status_code == 200
    client.force_login(participant_a)
    assert client.get("/admin/").status_code == 302
