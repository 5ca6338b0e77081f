"""Every page of every model in the admin opens for each role, or is refused, never a 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.admin_base import ScopedAdminMixin

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
ROLES = ["superuser", "staff_lampung", "national_viewer"]

# What this module decides for the models it knows; admins added elsewhere are held to
# "opens or is refused" only.
STAFF_ADDS = {
    "accounts.Enterprise",
    "accounts.Product",
    "cohorts.Program",
    "cohorts.Funding",
    "cohorts.Stage",
    "certifications.Case",
    "certifications.CaseDocument",
    "cohorts.Cohort",
    "cohorts.Enrollment",
    "cohorts.CoachingVisit",
    "cohorts.EnterpriseSnapshot",
    "cohorts.ExportRecord",
    # an invitation to an enterprise's account, sent by e-mail when added
    "portal.Invitation",
}
# Rows only services write: sessions come from a weekly pattern, attendance from the class
# sheet, new exporters from export verification, certificates from granting a request.
NOBODY_ADDS = {
    "accounts.PersonalDataAct",
    # the sign-in locks and logs are written by django-axes alone
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "certifications.CaseEvent",
    "certifications.Certificate",
    "notifications.Reminder",
    "cohorts.Session",
    "cohorts.Attendance",
    "cohorts.Graduation",
    # the log of enterprise-level pulls and frozen snapshots are written by the reports API
    "reports.EnterpriseDataPull",
    "reports.ReportSnapshot",
}
KNOWN = (
    STAFF_ADDS
    | NOBODY_ADDS
    | {
        "accounts.Province",
        "accounts.Regency",
        "accounts.Sector",
        "accounts.TradeOffice",
        "accounts.Funder",
        "accounts.User",
        "certifications.Scheme",
        "certifications.SchemeMilestone",
        "certifications.SchemeDocument",
        # a paired phone: the platform admin removes one to reset a lost second factor
        "otp_totp.TOTPDevice",
        # funders' API keys are issued by platform admins
        "reports.FunderAPIKey",
    }
)


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _scoped(model) -> bool:
    return isinstance(admin.site._registry[model], ScopedAdminMixin)


def test_the_admin_knows_no_groups():
    from django.contrib.auth.models import Group

    assert Group not in admin.site._registry


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_opens(client, request, role, model, lampung_world):
    lampung_world(model)
    client.force_login(request.getfixturevalue(role))
    response = client.get(_url(model, "changelist"))
    expected = 200 if role == "superuser" or _scoped(model) else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_add_form_opens_or_is_refused(client, request, role, model):
    client.force_login(request.getfixturevalue(role))
    response = client.get(_url(model, "add"))
    label = model._meta.label
    if role == "national_viewer" or label in NOBODY_ADDS:
        assert response.status_code == 403
    elif role == "superuser":
        assert response.status_code == 200
    else:
        # every other admin (reference data, accounts, the API keys) is the superuser's
        assert response.status_code == (200 if label in STAFF_ADDS else 403)


def test_every_registered_admin_is_classified_here():
    """A new admin must say here whether staff may add to it."""
    third_party = {"rest_framework_api_key.APIKey"}
    unknown = {m._meta.label for m in REGISTERED} - KNOWN - third_party
    assert not unknown, f"add these to STAFF_ADDS, NOBODY_ADDS or KNOWN: {sorted(unknown)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_change_form_of_an_object_in_scope_opens(client, request, role, model, lampung_world):
    obj = lampung_world(model)
    client.force_login(request.getfixturevalue(role))
    response = client.get(_url(model, "change", obj.pk))
    if role != "superuser" and not _scoped(model):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    content = response.content.decode()
    if role == "national_viewer":
        assert 'name="_save"' not in content


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_history_page_opens(admin_client_as_superuser, model, lampung_world):
    obj = lampung_world(model)
    response = admin_client_as_superuser.get(_url(model, "history", obj.pk))
    assert response.status_code == 200


@pytest.fixture
def admin_client_as_superuser(client, superuser):
    client.force_login(superuser)
    return client
