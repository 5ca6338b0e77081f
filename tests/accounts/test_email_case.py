"""One rule for e-mail addresses: the same address whatever its capital letters."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.admin.conftest import form_data
from tests.factories import PASSWORD

TAKEN = "A user with this e-mail address already exists."


@pytest.fixture(autouse=True)
def _english(settings, client):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def test_participant_signs_in_to_the_portal_whatever_the_capitals(client, participant_a):
    response = client.post(
        reverse("portal:login"), {"username": "Pemilik@Kopi.TEST", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).wsgi_request.user == participant_a


def test_staff_sign_in_to_the_admin_whatever_the_capitals(client, staff_lampung):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "STAF@lampung.test", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_wrong_password_is_still_refused_whatever_the_capitals(client, participant_a):
    response = client.post(
        reverse("portal:login"), {"username": "PEMILIK@kopi.test", "password": "salah"}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_the_manager_stores_addresses_lower_case(db):
    assert User.objects.create_user("Ani.Wijaya@Example.TEST").email == "ani.wijaya@example.test"


def test_the_database_refuses_a_case_variant_of_an_address(participant_a):
    with pytest.raises(IntegrityError):
        User.objects.create(email="PEMILIK@kopi.test")


def test_the_admin_refuses_to_add_a_case_variant_of_an_address(client, superuser, participant_a):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Pemilik@KOPI.test",
            "usable_password": "true",
            "password1": "a-long-new-passphrase-42",
            "password2": "a-long-new-passphrase-42",
        },
    )
    assert response.status_code == 200
    assert TAKEN in str(response.context["adminform"].form.errors["email"])
    assert User.objects.filter(email__iexact="pemilik@kopi.test").count() == 1


def test_a_new_address_is_saved_lower_case_from_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Budi@Example.TEST",
            "usable_password": "true",
            "password1": "a-long-new-passphrase-42",
            "password2": "a-long-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="budi@example.test").exists()


def test_the_admin_refuses_to_change_an_address_into_a_case_variant_of_another(
    client, superuser, participant_a, participant_b
):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[participant_b.pk])
    data = form_data(client.get(url))
    data["email"] = "PEMILIK@Kopi.test"
    response = client.post(url, data)
    assert response.status_code == 200
    assert TAKEN in str(response.context["adminform"].form.errors["email"])
    participant_b.refresh_from_db()
    assert participant_b.email == "pemilik@keripik.test"


def test_a_user_keeps_their_own_address_in_other_capitals(client, superuser, participant_a):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[participant_a.pk])
    data = form_data(client.get(url))
    data["email"] = "Pemilik@Kopi.test"
    response = client.post(url, data)
    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert participant_a.email == "pemilik@kopi.test"


def test_the_constraint_names_the_rule_when_a_case_variant_is_validated(participant_a):
    with pytest.raises(ValidationError) as error:
        User(email="PEMILIK@kopi.test").validate_constraints()
    assert any(TAKEN in message for message in error.value.messages)


def test_existing_addresses_with_capitals_take_the_lower_case_form(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0001_initial")])
    old_user = executor.loader.project_state([("accounts", "0001_initial")]).apps.get_model(
        "accounts", "User"
    )
    old_user.objects.create(email="Ani.Wijaya@Example.test", password="!")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.get(email="ani.wijaya@example.test")
