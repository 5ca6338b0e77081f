"""Lists of large tables keep their sidebar's choices for a while, per scope and language."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import admin_base
from tests import factories as f
from tests.conftest import need_postgres

pytestmark = pytest.mark.django_db
URL = reverse("admin:accounts_enterprise_changelist")


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own: a shared one may be cleared by tests running beside it."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ll"}
    }
    cache.clear()


@pytest.fixture
def large(monkeypatch):
    """Every table counts as large (a fresh table's estimate is -1, unknown): PostgreSQL's
    estimate, SQLite lists are never large."""
    need_postgres()
    monkeypatch.setattr(admin_base, "LARGE_TABLE_ROWS", -2)


def province_choices(response) -> set[str]:
    """The province filter's choices (the admin leaves out a filter of fewer than two)."""
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "field_path", None) == "province":
            return {label for _, label in spec.lookup_choices}
    return set()


def choice_queries(client) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    return response, [q["sql"] for q in queries if 'FROM "accounts_province"' in q["sql"]]


@pytest.mark.postgres
def test_the_choices_of_a_large_list_are_kept_per_scope(
    client, lampung, jateng, office_lampung, office_jateng, staff_lampung, staff_jateng, large
):
    bengkulu = f.ProvinceFactory(name_id="Bengkulu", name_en="Bengkulu")
    aceh = f.ProvinceFactory(name_id="Aceh", name_en="Aceh")
    for province in (lampung, bengkulu):
        f.EnterpriseFactory(registered_by=office_lampung, province=province)
    for province in (jateng, aceh):
        f.EnterpriseFactory(registered_by=office_jateng, province=province)
    client.force_login(staff_lampung)
    response, read = choice_queries(client)
    assert province_choices(response) == {"Lampung", "Bengkulu"} and read
    # kept: the second page asks nothing of the provinces, and says the same
    response, read = choice_queries(client)
    assert province_choices(response) == {"Lampung", "Bengkulu"} and not read
    # a value that appears since shows once the kept answer expires
    f.EnterpriseFactory(registered_by=office_lampung, province=jateng)
    assert province_choices(client.get(URL)) == {"Lampung", "Bengkulu"}
    cache.clear()
    assert province_choices(client.get(URL)) == {"Lampung", "Bengkulu", "Jawa Tengah"}
    # another office's staff never get Lampung's kept answer
    client.force_login(staff_jateng)
    assert province_choices(client.get(URL)) == {"Jawa Tengah", "Aceh"}


def test_small_lists_compute_their_choices_every_time(
    client, lampung, jateng, office_lampung, staff_lampung
):
    bengkulu = f.ProvinceFactory(name_id="Bengkulu", name_en="Bengkulu")
    for province in (lampung, bengkulu):
        f.EnterpriseFactory(registered_by=office_lampung, province=province)
    client.force_login(staff_lampung)
    assert province_choices(client.get(URL)) == {"Lampung", "Bengkulu"}
    f.EnterpriseFactory(registered_by=office_lampung, province=jateng)
    assert province_choices(client.get(URL)) == {"Lampung", "Bengkulu", "Jawa Tengah"}


def count_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]


@pytest.mark.postgres
def test_a_long_list_of_a_large_table_is_estimated_not_counted(
    client, office_lampung, staff_lampung, large, monkeypatch
):
    from accounts.admin import EnterpriseAdmin

    monkeypatch.setattr(admin_base.CappedPaginator, "ESTIMATE_FROM", -1)
    monkeypatch.setattr(EnterpriseAdmin, "list_per_page", 2)
    for i in range(3):
        f.EnterpriseFactory(registered_by=office_lampung, name=f"Usaha {i}")
    client.force_login(staff_lampung)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    paginator = response.context["cl"].paginator
    assert paginator.estimate is not None and not count_queries(queries)
    assert "sekitar" in response.content.decode()  # "about", in the staff's language
    # the last page, not full, makes the number exact
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"p": 2})
    paginator = response.context["cl"].paginator
    assert paginator.estimate is None and paginator.count == 3 and not count_queries(queries)
    assert "sekitar" not in response.content.decode()


def test_the_search_bar_says_how_many_rows_a_search_found_and_nothing_unsearched(
    client, office_lampung, staff_lampung
):
    for name in ("Kopi Way Kanan", "Kopi Liwa", "Keripik Pisang"):
        f.EnterpriseFactory(registered_by=office_lampung, name=name)
    client.force_login(staff_lampung)
    found = client.get(URL, {"q": "Kopi"}).content.decode()
    assert "2 hasil" in found  # "2 results", in the staff's Indonesian
    assert "hasil" not in client.get(URL).content.decode()
