"""The enterprise profile: owners edit it and its products; consent; the user's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import EnterpriseMembership, Product
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_an_owner_edits_the_profile_and_products(client, participant_a, enterprise_a):
    client.force_login(participant_a)
    page = client.get(reverse("portal:profile")).content.decode()
    assert reverse("accounts:personal_data") in page
    assert reverse("portal:reminder_settings") in page
    response = client.post(
        reverse("portal:profile"),
        {
            "action": "profile",
            "ikm-name": "Kopi Lampung Jaya Abadi",
            "ikm-nib": enterprise_a.nib,
            "ikm-address": "Jl. Raden Intan 1",
            "ikm-annual_revenue": "3000000000",
            "ikm-employees_women": "7",
            "ikm-employees_men": "4",
        },
    )
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "Kopi Lampung Jaya Abadi"
    assert enterprise_a.employees_women == 7
    assert enterprise_a.size_class == enterprise_a.size_class_for_revenue(3_000_000_000)
    response = client.post(
        reverse("portal:profile"),
        {
            "action": "products",
            "produk-TOTAL_FORMS": "1",
            "produk-INITIAL_FORMS": "0",
            "produk-0-name": "Kopi robusta bubuk",
            "produk-0-hs_code": "09012110",
        },
    )
    assert response.status_code == 302
    assert Product.objects.get(enterprise=enterprise_a).hs_code == "09012110"


def test_a_bad_nib_is_refused_next_to_the_field_and_the_typing_stays(
    client, participant_a, enterprise_a
):
    client.force_login(participant_a)
    response = client.post(
        reverse("portal:profile"),
        {
            "action": "profile",
            "ikm-name": "Nama Baru",
            "ikm-nib": "12",
            "ikm-annual_revenue": "1",
            "ikm-employees_women": "0",
            "ikm-employees_men": "0",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="Nama Baru"' in text and "field-error" in text
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "Kopi Lampung Jaya"


def test_staff_of_the_enterprise_see_but_cannot_edit(client, enterprise_a):
    member = f.UserFactory(email="staf@kopi.test")
    EnterpriseMembership.objects.create(
        user=member, enterprise=enterprise_a, role=EnterpriseMembership.Role.STAFF
    )
    client.force_login(member)
    assert "disabled" in client.get(reverse("portal:profile")).content.decode()
    response = client.post(reverse("portal:profile"), {"action": "profile", "ikm-name": "X"})
    assert response.status_code == 404
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "Kopi Lampung Jaya"


def test_consent_and_language(client, participant_a, enterprise_a, settings):
    client.force_login(participant_a)
    client.post(reverse("portal:profile"), {"action": "consent"})
    enterprise_a.refresh_from_db()
    assert enterprise_a.data_sharing_consent_by == participant_a
    response = client.post(
        reverse("portal:profile"), {"action": "language", "bahasa-preferred_language": "en"}
    )
    participant_a.refresh_from_db()
    assert participant_a.preferred_language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
