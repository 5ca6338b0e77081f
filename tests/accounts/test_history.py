"""Service and bulk paths both leave history rows, with the acting user."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Enterprise
from tests import factories as f


def test_service_update_records_history_with_the_actor(enterprise_a, staff_lampung):
    before = enterprise_a.history.count()
    services.enterprise_update(
        enterprise=enterprise_a, actor=staff_lampung, annual_revenue=3_000_000_000
    )
    enterprise_a.refresh_from_db()
    assert enterprise_a.size_class == Enterprise.SizeClass.SMALL
    assert "PP 7/2021" in enterprise_a.size_class_basis
    assert enterprise_a.history.count() == before + 1
    latest = enterprise_a.history.first()
    assert latest.history_user == staff_lampung
    assert latest.annual_revenue == 3_000_000_000
    assert latest.prev_record.annual_revenue == 500_000_000


def test_service_refuses_a_bad_nib_and_changes_nothing(enterprise_a, staff_lampung):
    before = enterprise_a.history.count()
    with pytest.raises(ValidationError) as error:
        services.enterprise_update(enterprise=enterprise_a, actor=staff_lampung, nib="12345")
    assert "nib" in error.value.message_dict
    enterprise_a.refresh_from_db()
    assert enterprise_a.nib != "12345"
    assert enterprise_a.history.count() == before


def test_service_refuses_fields_it_does_not_own(enterprise_a, staff_lampung, office_jateng):
    with pytest.raises(ValidationError):
        services.enterprise_update(
            enterprise=enterprise_a, actor=staff_lampung, registered_by=office_jateng
        )


def test_bulk_create_writes_one_history_row_each(office_lampung, staff_lampung):
    rows = [
        Enterprise(
            name=f"IKM Massal {i}",
            owner_name="Pemilik",
            registered_by=office_lampung,
            province=office_lampung.province,
        )
        for i in range(25)
    ]
    created = services.enterprise_bulk_create(enterprises=rows, actor=staff_lampung, batch_size=10)
    assert len(created) == 25
    history = Enterprise.history.filter(name__startswith="IKM Massal")
    assert history.count() == 25
    assert set(history.values_list("history_type", flat=True)) == {"+"}
    assert set(history.values_list("history_user", flat=True)) == {staff_lampung.pk}


def test_bulk_update_writes_one_history_row_each(office_lampung, staff_lampung):
    enterprises = f.EnterpriseFactory.create_batch(5, registered_by=office_lampung)
    for enterprise in enterprises:
        enterprise.export_status = Enterprise.ExportStatus.INDIRECT
    services.enterprise_bulk_update(
        enterprises=enterprises, fields=["export_status"], actor=staff_lampung
    )
    for enterprise in enterprises:
        assert enterprise.history.first().export_status == Enterprise.ExportStatus.INDIRECT
        assert enterprise.history.first().history_type == "~"
        assert enterprise.history.count() == 2


def test_consent_is_recorded_only_for_a_member(enterprise_a, participant_a, participant_b):
    with pytest.raises(ValidationError):
        services.enterprise_record_consent(enterprise=enterprise_a, actor=participant_b)
    services.enterprise_record_consent(enterprise=enterprise_a, actor=participant_a)
    enterprise_a.refresh_from_db()
    assert enterprise_a.data_sharing_consent_by == participant_a
    assert enterprise_a.data_sharing_consent_at is not None
    assert enterprise_a.history.first().history_user == participant_a
