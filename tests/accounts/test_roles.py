import pytest
from django.core.exceptions import ValidationError

from accounts import roles, selectors
from accounts.models import User
from accounts.phone import normalize_phone
from tests import factories as f


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("62812345678901", "+62812345678901"),
        ("(0721) 486 123", "+62721486123"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "nomor saya", "0812"])
def test_invalid_phone_numbers_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert error.value.code == "invalid_phone"


@pytest.mark.django_db
def test_user_form_cleaning_stores_e164():
    user = User(email="a@example.test", phone="0812 3456 7890")
    user.set_password("x-very-long-password")
    user.full_clean()
    assert user.phone == "+6281234567890"


@pytest.mark.django_db
def test_saving_normalises_the_phone_and_refuses_a_bad_one():
    user = User.objects.create(email="c@example.test", phone="0812-3456-7890")
    assert User.objects.get(pk=user.pk).phone == "+6281234567890"
    from django.db import transaction

    with pytest.raises(ValidationError), transaction.atomic():
        User.objects.create(email="b@example.test", phone="0812345")
    assert not User.objects.filter(email="b@example.test").exists()


@pytest.mark.django_db
def test_database_refuses_a_phone_that_is_not_e164():
    from django.db import IntegrityError, connection

    User.objects.create(email="d@example.test")
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET phone = %s", ["0812"])


@pytest.mark.django_db
def test_users_sign_in_with_their_email_and_email_is_unique():
    user = User.objects.create_user("Siti@Example.TEST", "a-strong-password-1")
    assert user.email == "siti@example.test"
    assert User.USERNAME_FIELD == "email"
    assert user.preferred_language == "id"
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create_user("siti@example.test", "another-password-2")


def test_office_staff_roles(
    staff_lampung, staff_jateng, office_lampung, office_jateng, manager_lampung
):
    assert roles.office_ids(staff_lampung) == {office_lampung.pk}
    assert roles.office_ids(staff_jateng) == {office_jateng.pk}
    assert roles.is_office_staff(staff_lampung)
    assert roles.may_use_admin(staff_lampung)
    assert roles.managed_office_ids(staff_lampung) == frozenset()
    assert roles.managed_office_ids(manager_lampung) == {office_lampung.pk}
    assert not roles.reads_everything(staff_lampung)


def test_funder_analysts_and_participants_have_no_admin(
    analyst_lpei, funder_lpei, participant_a, enterprise_a
):
    assert roles.funder_ids(analyst_lpei) == {funder_lpei.pk}
    assert roles.is_funder_analyst(analyst_lpei)
    assert not roles.may_use_admin(analyst_lpei)
    assert roles.enterprise_ids(participant_a) == {enterprise_a.pk}
    assert roles.is_participant(participant_a)
    assert not roles.may_use_admin(participant_a)


def test_national_viewer_and_superuser_read_everything(national_viewer, superuser, staff_lampung):
    assert roles.reads_everything(national_viewer)
    assert not roles.is_platform_admin(national_viewer)
    assert roles.reads_everything(superuser)
    assert roles.is_platform_admin(superuser)


def test_deactivated_staff_lose_their_role(staff_lampung):
    staff_lampung.is_active = False
    assert not roles.is_office_staff(staff_lampung)
    assert not roles.may_use_admin(staff_lampung)


def test_anonymous_user_has_no_role():
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert roles.office_ids(anonymous) == frozenset()
    assert not roles.may_use_admin(anonymous)


def test_role_lookups_are_cached_per_user_object(staff_lampung, django_assert_num_queries):
    fresh = User.objects.get(pk=staff_lampung.pk)
    with django_assert_num_queries(1):
        roles.office_ids(fresh)
        roles.office_ids(fresh)
        roles.is_office_staff(fresh)


def test_enterprise_scoping_between_offices_and_participants(
    staff_lampung,
    staff_jateng,
    enterprise_a,
    enterprise_b,
    enterprise_jateng,
    participant_a,
    participant_b,
    national_viewer,
    analyst_lpei,
):
    assert set(selectors.enterprises_visible_to(staff_lampung)) == {enterprise_a, enterprise_b}
    assert set(selectors.enterprises_visible_to(staff_jateng)) == {enterprise_jateng}
    assert set(selectors.enterprises_visible_to(participant_a)) == {enterprise_a}
    assert set(selectors.enterprises_visible_to(participant_b)) == {enterprise_b}
    assert set(selectors.enterprises_visible_to(analyst_lpei)) == set()
    assert selectors.enterprises_visible_to(national_viewer).count() == 3
    assert set(selectors.enterprises_editable_by(staff_jateng)) == {enterprise_jateng}
    assert set(selectors.enterprises_editable_by(national_viewer)) == set()


def test_staff_read_enterprises_enrolled_in_their_programmes(
    staff_jateng, enterprise_a, program_jateng
):
    stage = f.StageFactory(program=program_jateng)
    f.EnrollmentFactory(enterprise=enterprise_a, stage=stage)
    assert enterprise_a in selectors.enterprises_visible_to(staff_jateng)
    assert enterprise_a not in selectors.enterprises_editable_by(staff_jateng)
