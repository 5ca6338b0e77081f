"""Invitations: staff from the admin, owners from the portal; a single-use, expiring link."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import EnterpriseMembership, User
from portal.models import Invitation

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"https?://\S+/undangan/\S+/", message.body).group(0).split("://", 1)[1]


def path_of(link: str) -> str:
    return "/" + link.split("/", 1)[1]


def test_staff_invite_from_the_admin_and_the_link_sets_a_password_once(
    client, staff_lampung, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(staff_lampung)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:portal_invitation_add"),
            {"enterprise": enterprise_a.pk, "email": "Pemilik.Baru@Kopi.test", "role": "owner"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pemilik.baru@kopi.test"]
    path = path_of(link_in(mail.outbox[0]))
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    refused = client.post(path, {"full_name": "Budi", "password1": "a", "password2": "b"})
    assert refused.status_code == 200 and "The two passwords differ." in refused.content.decode()
    assert 'value="Budi"' in refused.content.decode()  # what was typed stays
    response = client.post(
        path,
        {
            "full_name": "Budi Santoso",
            "password1": "Kopi-Baru-2026!",
            "password2": "Kopi-Baru-2026!",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="pemilik.baru@kopi.test")
    assert user.check_password("Kopi-Baru-2026!")
    assert EnterpriseMembership.objects.get(user=user).enterprise == enterprise_a
    client.logout()
    assert client.get(path).status_code == 404  # single use


def test_staff_of_another_office_cannot_invite_to_the_enterprise(
    client, staff_jateng, enterprise_a
):
    client.force_login(staff_jateng)
    client.post(
        reverse("admin:portal_invitation_add"),
        {"enterprise": enterprise_a.pk, "email": "x@y.test", "role": "owner"},
    )
    assert not Invitation.objects.exists()


def test_an_owner_invites_from_the_portal_and_the_link_expires(
    client, participant_a, enterprise_a, django_capture_on_commit_callbacks
):
    client.force_login(participant_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:profile"),
            {"action": "invite", "email": "staf@kopi.test", "role": "staff"},
        )
    assert response.status_code == 302
    path = path_of(link_in(mail.outbox[0]))
    client.logout()
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        assert client.get(path).status_code == 404


def test_a_staff_member_of_the_enterprise_cannot_invite(client, enterprise_a):
    from tests import factories as f

    member = f.UserFactory(email="staf@kopi.test")
    EnterpriseMembership.objects.create(
        user=member, enterprise=enterprise_a, role=EnterpriseMembership.Role.STAFF
    )
    client.force_login(member)
    client.post(
        reverse("portal:profile"), {"action": "invite", "email": "z@kopi.test", "role": "owner"}
    )
    assert not Invitation.objects.exists()


def test_an_existing_account_joins_after_signing_in(
    client, participant_b, enterprise_a, participant_a, django_capture_on_commit_callbacks
):
    from portal import services

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(
            enterprise=enterprise_a,
            email=participant_b.email,
            role="staff",
            actor=participant_a,
            site_url="http://testserver",
        )
    path = path_of(link_in(mail.outbox[0]))
    response = client.get(path)
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    client.force_login(participant_b)
    assert client.post(path).status_code == 302
    assert EnterpriseMembership.objects.filter(user=participant_b, enterprise=enterprise_a).exists()
