"""Writing spreadsheets: the import template with its drop-down lists, and list exports.

A cell a spreadsheet program would take for a formula (it starts with ``=``, ``+``, ``-`` or
``@``, or a tab or carriage return before one) is written with a leading apostrophe, so an
exported name such as ``=HYPERLINK(...)`` stays text when the file is opened.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Enterprise, Province, Regency, Sector

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEMPLATE_ROWS = 2000


def neutralise(value: object) -> object:
    """A cell value that no spreadsheet program will run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    return neutralise(str(value))


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    """A one-sheet workbook, written in streaming mode so memory stays flat."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")
    sheet.append([neutralise(str(h)) for h in header])
    for row in rows:
        sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def import_template(*, province: Province | None = None) -> bytes:
    """The import template: the header row, and drop-down lists of provinces, regencies,
    sectors and size classes taken from the reference data (on a hidden sheet)."""
    from office.imports import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "IKM"
    sheet.append([str(column.label) for column in COLUMNS])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(str(column.label)))
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    regencies = Regency.objects.select_related("province").order_by("province__name_id", "name_id")
    if province is not None:
        regencies = regencies.filter(province=province)
    columns = {
        "province": [p.name_id for p in Province.objects.order_by("name_id")],
        "regency": [r.name_id for r in regencies],
        "sector": [s.name_id for s in Sector.objects.order_by("name_id")],
        "size_class": [
            str(label) for value, label in Enterprise.SizeClass.choices if value != "large"
        ],
        "owner_gender": ["F", "M"],
    }
    keys = [column.key for column in COLUMNS]
    for list_index, (key, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(list_index)
        lists.cell(row=1, column=list_index, value=key)
        for row_index, value in enumerate(values, start=2):
            lists.cell(row=row_index, column=list_index, value=value)
        if not values:
            continue
        validation = DataValidation(
            type="list",
            formula1=f"=lists!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
        )
        target = get_column_letter(keys.index(key) + 1)
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
