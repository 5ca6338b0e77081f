"""What the admin offers: only actions the user may run, and choosers that scale."""

import pytest
from django.urls import reverse

from cohorts.models import Enrollment
from tests import factories as f

WRITE_ACTIONS = {"select_applications", "accept_offers", "decline_offers"}


def offered_actions(response) -> set[str]:
    form = response.context.get("action_form")
    if form is None:
        return set()
    return {value for value, _label in form.fields["action"].choices if value}


def test_the_national_viewer_is_not_offered_the_enrollment_actions(
    client, national_viewer, stage_lampung
):
    f.EnrollmentFactory(stage=stage_lampung, status=Enrollment.Status.SELECTED)
    client.force_login(national_viewer)
    response = client.get(reverse("admin:cohorts_enrollment_changelist"))
    assert response.status_code == 200
    assert not offered_actions(response) & WRITE_ACTIONS
    assert 'value="select_applications"' not in response.content.decode()


def test_the_national_viewer_is_not_offered_seat_offers_on_the_class_list(
    client, national_viewer, small_class
):
    client.force_login(national_viewer)
    response = client.get(reverse("admin:cohorts_cohort_changelist"))
    assert "offer_free_seats" not in offered_actions(response)


def test_staff_are_offered_the_enrollment_actions(client, staff_lampung, stage_lampung):
    f.EnrollmentFactory(stage=stage_lampung, status=Enrollment.Status.SELECTED)
    client.force_login(staff_lampung)
    response = client.get(reverse("admin:cohorts_enrollment_changelist"))
    assert offered_actions(response) >= WRITE_ACTIONS


@pytest.mark.parametrize("user", ["staff_lampung", "superuser"])
def test_the_application_page_picks_the_enterprise_by_autocomplete(
    client, request, user, office_lampung, stage_lampung
):
    enterprises = f.EnterpriseFactory.create_batch(3, registered_by=office_lampung)
    client.force_login(request.getfixturevalue(user))
    page = client.get(reverse("admin:cohorts_enrollment_add")).content.decode()
    for enterprise in enterprises:
        assert enterprise.name not in page  # no <option> per enterprise
    assert "admin-autocomplete" in page
    assert 'data-field-name="enterprise"' in page


def test_the_enterprise_autocomplete_of_the_application_page_is_scoped(
    client, staff_lampung, enterprise_a, enterprise_jateng, stage_lampung
):
    client.force_login(staff_lampung)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "cohorts",
            "model_name": "enrollment",
            "field_name": "enterprise",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert str(enterprise_a.pk) in ids
    assert str(enterprise_jateng.pk) not in ids


@pytest.mark.parametrize(
    "page",
    [
        "admin:cohorts_enrollment_add",
        "admin:accounts_product_add",
        "admin:certifications_case_add",
    ],
)
def test_add_pages_list_no_enterprise_as_an_option(client, superuser, office_lampung, page):
    names = [f"IKM Pilihan {i}" for i in range(3)]
    for name in names:
        f.EnterpriseFactory(registered_by=office_lampung, name=name)
    client.force_login(superuser)
    response = client.get(reverse(page))
    assert response.status_code == 200
    html = response.content.decode()
    assert not any(name in html for name in names)
