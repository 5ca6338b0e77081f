import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from tests import factories as f
from tests.admin.conftest import lampung_world  # noqa: F401


@pytest.fixture(autouse=True)
def _english(settings, client):
    """Services, pages and the language cookie in English (users default to Indonesian)."""
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def lampung_selatan(lampung):
    return f.RegencyFactory(
        province=lampung,
        name_id="Kabupaten Lampung Selatan",
        name_en="South Lampung Regency",
        code_kemendagri="18.01",
        code_bps="1803",
    )


@pytest.fixture
def bandar_lampung(lampung):
    return f.RegencyFactory(
        province=lampung,
        kind="kota",
        name_id="Kota Bandar Lampung",
        name_en="Bandar Lampung City",
        code_kemendagri="18.71",
        code_bps="1871",
    )


@pytest.fixture
def food(db):
    return f.SectorFactory(code="food", name_id="Makanan dan Minuman", name_en="Food and drink")


HEADER = [
    "nib",
    "name",
    "owner_name",
    "owner_gender",
    "province",
    "regency",
    "address",
    "sector",
    "size_class",
    "annual_revenue",
    "employees_women",
    "employees_men",
    "product_name",
    "product_hs_code",
]


def csv_file(rows: list[dict], header=HEADER) -> bytes:
    lines = [";".join(header)]
    for row in rows:
        lines.append(";".join(str(row.get(key, "")) for key in header))
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_file(rows: list[dict], header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**overrides) -> dict:
    values = {
        "nib": "9120001234567",
        "name": "Keripik Pisang Sinar",
        "owner_name": "Sri Wahyuni",
        "owner_gender": "P",
        "province": "Lampung",
        "regency": "Lampung Selatan",
        "sector": "Makanan dan Minuman",
        "annual_revenue": "Rp 1.500.000",
        "employees_women": "4",
        "employees_men": "1",
    }
    values.update(overrides)
    return values
