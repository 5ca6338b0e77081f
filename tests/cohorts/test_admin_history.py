"""History pages show earlier versions; saving one (a revert) would skip every service."""

import pytest
from django.urls import reverse

from cohorts.models import Cohort, Enrollment
from cohorts.services import classes, seats
from tests import factories as f


def version_page(obj, version):
    name = f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history"
    return reverse(name, args=[obj.pk, version.history_id])


@pytest.fixture(params=["staff_lampung", "superuser"])
def history_client(request, client):
    client.force_login(request.getfixturevalue(request.param))
    return client


def test_saving_an_earlier_version_of_a_withdrawn_enrollment_changes_nothing(
    history_client, small_class, selected, staff_lampung
):
    enrollment = seats.enrollment_admit(
        enrollment=selected(), cohort=small_class, actor=staff_lampung
    )[0]
    seats.enrollment_withdraw(enrollment=enrollment, actor=staff_lampung, reason="Sakit")
    enrolled_version = enrollment.history.filter(status=Enrollment.Status.ENROLLED).first()
    url = version_page(enrollment, enrolled_version)
    shown = history_client.get(url)
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    history_before = enrollment.history.count()

    response = history_client.post(url, {"status": Enrollment.Status.ENROLLED})

    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert enrollment.history.count() == history_before


def test_saving_an_earlier_version_of_a_closed_class_keeps_it_closed(
    history_client, small_class, staff_lampung
):
    f.SessionFactory(cohort=small_class)
    classes.cohort_close(cohort=small_class, actor=staff_lampung, required_outputs=[])
    open_version = small_class.history.filter(closed_at__isnull=True).first()
    url = version_page(small_class, open_version)
    shown = history_client.get(url)
    assert shown.status_code == 200
    assert all(field.disabled for field in shown.context["adminform"].form.fields.values())

    form = shown.context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    response = history_client.post(url, data)

    assert response.status_code == 403
    small_class.refresh_from_db()
    assert small_class.closed_at is not None
    assert Cohort.objects.filter(pk=small_class.pk, closed_at__isnull=True).count() == 0


def test_every_admin_with_history_refuses_reverts_through_the_shared_base():
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    from accounts.admin_base import ScopedAdmin

    with_history = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert with_history
    assert all(isinstance(model_admin, ScopedAdmin) for model_admin in with_history)
