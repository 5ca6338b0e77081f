"""Every admin list downloads as .xlsx or .csv: its filters, its scope, no live formulas."""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.admin_base import ScopedAdmin
from office.spreadsheets import neutralise
from tests import factories as f

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_export_follows_the_lists_filters(client, staff_lampung, office_lampung):
    f.EnterpriseFactory(registered_by=office_lampung, name="Mikro Satu", annual_revenue=1)
    f.EnterpriseFactory(
        registered_by=office_lampung, name="Menengah Dua", annual_revenue=1, size_class="medium"
    )
    client.force_login(staff_lampung)
    url = reverse("admin:accounts_enterprise_export_csv")
    rows = csv_rows(client.get(url, {"size_class__exact": "medium"}))
    assert [r[0] for r in rows[1:]] == ["Menengah Dua"]
    assert rows[0][0] == "name"
    assert len(csv_rows(client.get(url, {"q": "Satu"}))) == 2


def test_the_export_is_scoped_like_the_list(client, staff_jateng, enterprise_a, enterprise_jateng):
    client.force_login(staff_jateng)
    rows = csv_rows(client.get(reverse("admin:accounts_enterprise_export_csv")))
    names = [r[0] for r in rows[1:]]
    assert names == [enterprise_jateng.name]


def test_formulas_are_neutralised_in_both_formats(client, staff_lampung, office_lampung):
    f.EnterpriseFactory(registered_by=office_lampung, name='=HYPERLINK("http://x","y")')
    f.EnterpriseFactory(registered_by=office_lampung, name="@SUM(A1)")
    client.force_login(staff_lampung)
    names = {r[0] for r in csv_rows(client.get(reverse("admin:accounts_enterprise_export_csv")))}
    assert '\'=HYPERLINK("http://x","y")' in names and "'@SUM(A1)" in names
    response = client.get(reverse("admin:accounts_enterprise_export_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(v.startswith("'") for v in values)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@a", "\t=1", "\r=1"])
def test_every_formula_start_is_neutralised(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Kopi") == "Kopi"


SCOPED = sorted(
    (m for m, a in admin.site._registry.items() if isinstance(a, ScopedAdmin)),
    key=lambda m: m._meta.label,
)


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_every_list_exports(client, superuser, lampung_world, model):
    lampung_world(model)
    client.force_login(superuser)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_export"
    assert len(csv_rows(client.get(reverse(name + "_csv")))) >= 2
    response = client.get(reverse(name + "_xlsx"))
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row >= 2


def test_the_list_offers_the_export_with_its_filters(client, staff_lampung, enterprise_a):
    client.force_login(staff_lampung)
    page = client.get(
        reverse("admin:accounts_enterprise_changelist"), {"size_class__exact": "micro"}
    )
    assert "export.xlsx?size_class__exact=micro" in page.content.decode()


@pytest.mark.parametrize("n", [1, 30])
def test_export_query_count_is_flat(
    client, staff_lampung, office_lampung, n, django_assert_max_num_queries
):
    f.EnterpriseFactory.create_batch(n, registered_by=office_lampung)
    client.force_login(staff_lampung)
    with django_assert_max_num_queries(12):
        client.get(reverse("admin:accounts_enterprise_export_xlsx"))
