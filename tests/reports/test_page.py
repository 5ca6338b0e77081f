"""The reports page (/laporan/): the API's numbers for people, scoped like the API."""

import re

import pytest
from django.urls import reverse

from reports import selectors

URL = "/laporan/"


def test_the_page_has_its_url_name():
    assert reverse("reports:home") == URL


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "next=/laporan/" in response["Location"]


def test_a_participant_gets_404(client, participant_a):
    client.force_login(participant_a)
    assert client.get(URL).status_code == 404


def test_an_analyst_sees_the_summary_against_targets_and_downloads(client, world, analyst_lpei):
    world.program_lampung.target_participants = 14
    world.program_lampung.save()
    client.force_login(analyst_lpei)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Laporan program Anda" in html  # Indonesian first
    assert "dari target 14 (50%)" in html  # 7 enterprises enrolled of 14
    assert "/api/v1/reports/summary/?format=csv" in html
    assert "/api/v1/new-exporters/?format=xlsx" in html
    assert world.enterprises[2].name in html  # consenting new exporter
    assert world.enterprises[3].name not in html.split("Eksportir baru")[-1]  # did not consent
    assert "<script" not in html and 'style="' not in html
    assert "<svg" in html and 'class="chart-bar"' in html


def test_the_page_and_the_api_show_the_same_numbers(client, world, analyst_lpei):
    client.force_login(analyst_lpei)
    params = {"sector": "batik", "by": "sector"}
    api = client.get("/api/v1/reports/summary/", {"sector": "batik"}).json()
    html = client.get(URL, params).content.decode()
    values = re.findall(r'<span class="kpi-value">([^<]*)</span>', html)
    assert values[0] == str(api["enterprises_enrolled"])
    assert values[2] == str(api["applicants"])


def test_another_funders_programme_is_not_offered(client, world, analyst_lpei):
    client.force_login(analyst_lpei)
    response = client.get(URL, {"program": world.program_jateng.pk})
    assert response.status_code == 400
    assert world.program_jateng.name not in response.content.decode()


def test_bad_dates_re_render_the_form_with_the_error(client, world, analyst_lpei):
    client.force_login(analyst_lpei)
    response = client.get(URL, {"date_from": "2026-06-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert 'value="2026-06-01"' in response.content.decode()


def test_national_viewers_see_the_roll_up_by_province(client, world, national_viewer, jateng):
    client.force_login(national_viewer)
    html = client.get(URL).content.decode()
    assert "Laporan nasional" in html
    rows = selectors.breakdown(selectors.Scope(), None, "province")
    assert {r["label"] for r in rows} == {"Lampung", "Jawa Tengah"}
    assert "Lampung" in html and "Jawa Tengah" in html


@pytest.mark.parametrize("n", [10, 60])
def test_the_page_costs_the_same_queries_whatever_the_size(
    client, program_lampung, analyst_lpei, django_assert_max_num_queries, n
):
    from tests.reports.test_selectors import _grow

    _grow(program_lampung, n)
    client.force_login(analyst_lpei)
    with django_assert_max_num_queries(45):
        assert client.get(URL).status_code == 200
