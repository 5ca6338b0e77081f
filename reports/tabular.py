"""CSV and XLSX output of every report and list: stable field names or human labels in the
header, every row (streamed for CSV), and cells that a spreadsheet would run as a formula
neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from rest_framework.renderers import BaseRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CSVRenderer(BaseRenderer):
    """Declares ``?format=csv``; the views write the file themselves (streamed)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach a renderer: the views answer CSV themselves.
        return table_bytes_csv(flatten_rows([data] if isinstance(data, dict) else data))


class XLSXRenderer(BaseRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = flatten_rows([data] if isinstance(data, dict) else data)
        columns = list(rows[0]) if rows else []
        return xlsx_bytes(columns, [[row.get(c) for c in columns] for row in rows], columns)


def neutralise(value):
    """A cell as text a spreadsheet shows, never runs: a leading = + - @ gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def flatten(row: dict, prefix: str = "") -> dict:
    """Nested objects become dotted columns: ``enrollments_by_level.beginner``."""
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(str(v) for v in value)
        else:
            flat[name] = value
    return flat


def flatten_rows(rows: Iterable[dict]) -> list[dict]:
    return [flatten(row) for row in rows]


def header(columns: list[str], labels: dict, language: str | None) -> list[str]:
    """Stable field names, or with ``?labels=id|en`` each column's label in that language."""
    if not language:
        return list(columns)
    with translation.override(language):
        return [
            str(labels.get(column.split(".")[0], column)) + _suffix(column) for column in columns
        ]


def _suffix(column: str) -> str:
    return f" ({column.split('.', 1)[1]})" if "." in column else ""


class _Echo:
    def write(self, value):
        return value


def _csv_lines(head: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel opens the file as UTF-8
    yield writer.writerow([neutralise(h) for h in head])
    for row in rows:
        yield writer.writerow(["" if v is None else neutralise(v) for v in row])


def table_bytes_csv(rows: list[dict]) -> bytes:
    columns = list(rows[0]) if rows else []
    lines = _csv_lines(columns, ([row.get(c) for c in columns] for row in rows))
    return "".join(lines).encode()


def csv_response(head: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(head, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(columns: list[str], rows: Iterable[list], head: list[str]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append([neutralise(h) for h in head])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(head: list[str], rows: Iterable[list], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes([], rows, head), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(
    fmt: str, columns: list[str], rows: Iterable[list], filename: str, labels: dict, language
):
    head = header(columns, labels, language)
    if fmt == "csv":
        return csv_response(head, rows, filename)
    return xlsx_response(head, rows, filename)
