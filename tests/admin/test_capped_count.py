"""Lists never count a whole large table: past the cap they say "more than" and still page."""

import pytest
from django.urls import reverse

from accounts.admin_base import CappedPaginator
from accounts.models import Enterprise
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 5)


def test_a_list_under_the_cap_shows_its_exact_total(client, staff_lampung, office_lampung):
    f.EnterpriseFactory.create_batch(3, registered_by=office_lampung)
    client.force_login(staff_lampung)
    page = client.get(reverse("admin:accounts_enterprise_changelist")).content.decode()
    assert "3 IKM" in page or "3 enterprises" in page


def test_a_list_past_the_cap_says_more_than(
    client, staff_lampung, office_lampung, small_cap, django_assert_max_num_queries
):
    f.EnterpriseFactory.create_batch(8, registered_by=office_lampung)
    client.force_login(staff_lampung)
    url = reverse("admin:accounts_enterprise_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].paginator.capped
    assert response.context["cl"].result_count == 5
    # the page itself still shows its rows (a page is 100 long, the cap only stops counting)
    assert len(response.context["cl"].result_list) == 8
    text = response.content.decode()
    assert "lebih dari 5" in text or "more than 5" in text


def test_the_count_is_bounded_by_a_limit_in_its_query(
    client, staff_lampung, office_lampung, small_cap
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.EnterpriseFactory.create_batch(8, registered_by=office_lampung)
    client.force_login(staff_lampung)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:accounts_enterprise_changelist"))
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list must still count (bounded)"
    assert all("LIMIT" in sql.upper() for sql in counts), counts
    assert Enterprise.objects.count() == 8
