"""Bringing an office's spreadsheet of enterprises (and one product each row) into the records.

Three steps, each callable on its own:
- ``read_rows`` opens a .xlsx or .csv, refusing a file beyond the limits before it is unpacked
  (an xlsx is a zip: its declared entry count and uncompressed sizes are checked first);
  formulas are read as the text they are, never evaluated;
- ``import_plan`` compares every row with the records and says what it would do: new, changed,
  unchanged, or an error with its reason. It writes nothing;
- ``import_apply`` plans again inside one transaction and writes everything or nothing.
Preview and confirm call the same planner, so what staff saw is what is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.formatting import thousands
from accounts.models import Enterprise, Product, Province, Regency, Sector, TradeOffice, User

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
QUERY_CHUNK = 10_000  # values in one IN (...) list; SQLite takes fewer (see _query_chunk)
WRITE_BATCH = 1000


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translation
    required: bool = False


COLUMNS = [
    Column("nib", gettext_lazy("NIB")),
    Column("name", gettext_lazy("enterprise name"), required=True),
    Column("owner_name", gettext_lazy("owner's name"), required=True),
    Column("owner_gender", gettext_lazy("owner's gender (F/M)")),
    Column("province", gettext_lazy("province"), required=True),
    Column("regency", gettext_lazy("regency or city")),
    Column("address", gettext_lazy("address")),
    Column("sector", gettext_lazy("sector")),
    Column("size_class", gettext_lazy("size class")),
    Column("annual_revenue", gettext_lazy("annual revenue (Rp)")),
    Column("employees_women", gettext_lazy("employees (women)")),
    Column("employees_men", gettext_lazy("employees (men)")),
    Column("product_name", gettext_lazy("product")),
    Column("product_hs_code", gettext_lazy("HS code")),
]
ENTERPRISE_FIELDS = [
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
]
FOREIGN_KEYS = frozenset({"province", "regency", "sector"})
SIZE_WORDS = {
    "micro": "micro",
    "mikro": "micro",
    "small": "small",
    "kecil": "small",
    "medium": "medium",
    "menengah": "medium",
}
GENDER_WORDS = {
    "f": "F",
    "p": "F",
    "perempuan": "F",
    "female": "F",
    "wanita": "F",
    "m": "M",
    "l": "M",
    "laki-laki": "M",
    "male": "M",
    "pria": "M",
}


class ImportRefused(ValidationError):
    """The file cannot be read at all (too large, not a spreadsheet, no header)."""


def _norm(value: object) -> str:
    """A key for comparing names: accents, case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def header_labels() -> dict[str, str]:
    """Every spelling of a header accepted for each column: its key, English and Indonesian."""
    spellings: dict[str, str] = {}
    for column in COLUMNS:
        spellings[_norm(column.key)] = column.key
        for language in ("en", "id"):
            with translation.override(language):
                spellings[_norm(str(column.label))] = column.key
    return spellings


# --- reading the file ------------------------------------------------------------------------


def _check_xlsx_container(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportRefused(_("This is not an Excel (.xlsx) file.")) from exc
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportRefused(_("The Excel file holds too many parts to be read safely."))
    unpacked = sum(entry.file_size for entry in entries)
    packed = max(sum(entry.compress_size for entry in entries), 1)
    if unpacked > MAX_UNCOMPRESSED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise ImportRefused(
            _("The Excel file would be too large once unpacked (%(size)s MB); split it.")
            % {"size": thousands(unpacked // (1024 * 1024))}
        )


# A formula element (``<f>``, or ``<x:f ...>`` with a namespace prefix) in a worksheet's XML.
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    """Whether any part of the workbook holds a formula element, read in slices so memory
    stays small. Every XML part is looked at, wherever a program put its sheets, except the
    shared strings, which hold only text (a chart's references count: that is only slower)."""
    for entry in archive.infolist():
        if not entry.filename.endswith(".xml") or entry.filename.endswith("sharedStrings.xml"):
            continue
        with archive.open(entry) as part:
            tail = b""
            while chunk := part.read(1024 * 1024):
                if FORMULA_ELEMENT.search(tail + chunk):
                    return True
                tail = chunk[-64:]
    return False


def _openpyxl_rows(data: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell gives its formula as text, nothing is calculated.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRefused(_("The Excel file could not be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _calamine_cell(value: object) -> object:
    """A cell as openpyxl gives it: empty is None, a whole number an int, a date a datetime."""
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _calamine_rows(data: bytes) -> Iterator[list[object]]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        index = next(
            n
            for n, sheet in enumerate(workbook.sheets_metadata)
            if sheet.typ == SheetTypeEnum.WorkSheet
        )
        sheet = workbook.get_sheet_by_index(index)
    except Exception as exc:  # calamine raises its own kinds for a damaged file
        raise ImportRefused(_("The Excel file could not be read.")) from exc
    try:
        # skip_empty_area=False: rows and columns counted from A1, as the sheet numbers them.
        for row in sheet.to_python(skip_empty_area=False):
            yield [_calamine_cell(value) for value in row]
    finally:
        workbook.close()


def _xlsx_rows(data: bytes) -> Iterator[list[object]]:
    """The first worksheet's rows. calamine (compiled) reads values many times faster than
    openpyxl; it gives a formula's last result rather than its text, so a workbook holding
    any formula is read by openpyxl, which gives the formula as text and calculates nothing."""
    _check_xlsx_container(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            formulas = _has_formulas(archive)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ImportRefused(_("The Excel file could not be read.")) from exc
    return _openpyxl_rows(data) if formulas else _calamine_rows(data)


def _csv_rows(data: bytes) -> Iterator[list[object]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def read_rows(*, data: bytes, filename: str) -> list[dict[str, object]]:
    """The file's rows as dicts keyed by column key, with ``_line`` (the sheet's row number)."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            _("The file is larger than %(size)s MB.")
            % {"size": thousands(MAX_FILE_BYTES // (1024 * 1024))}
        )
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise ImportRefused(_("Choose an Excel (.xlsx) or CSV (.csv) file."))
    spellings = header_labels()
    header: list[str | None] | None = None
    records: list[dict[str, object]] = []
    for line, row in enumerate(rows, start=1):
        if header is None:
            keys = [spellings.get(_norm(cell)) for cell in row]
            if "name" in keys:
                header = keys
            elif line >= 5:
                break
            continue
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        if len(records) >= MAX_ROWS:
            raise ImportRefused(
                _("The file has more than %(rows)s rows; split it.") % {"rows": thousands(MAX_ROWS)}
            )
        record: dict[str, object] = {"_line": line}
        for key, cell in zip(header, row, strict=False):
            if key and key not in record:
                record[key] = cell
        records.append(record)
    if header is None:
        raise ImportRefused(
            _("No header row was found: use the template, its first row names the columns.")
        )
    return records


# --- normalising cells -----------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as text, runs of whitespace made one space (str.split() splits on the same
    whitespace as the regular expression ``\\s+``, several times faster)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def normalise_nib(value: object) -> str:
    """An NIB with its spaces, dots and dashes taken out (``91 2000.1234-567``)."""
    return re.sub(r"[\s.\-]", "", _text(value))


def parse_rupiah(value: object) -> int:
    """``Rp 1.500.000``, ``1,500,000``, ``1500000`` -> 1500000; ValueError when not a sum."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0 or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(value)
    text = _text(value)
    text = re.sub(r"(?i)^rp\.?", "", text).strip()
    text = re.sub(r"[,.]00$", "", text)
    text = re.sub(r"[\s.,]", "", text)
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(value)
    return int(text)


def _whole(value: object) -> int:
    text = _text(value)
    if not text:
        return 0
    try:
        number = Decimal(text.replace(".", "").replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if number < 0 or number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


# --- planning --------------------------------------------------------------------------------


@dataclass
class RowPlan:
    line: int
    name: str
    nib: str
    status: str = "new"  # new, changed, unchanged, error
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)
    enterprise: Enterprise | None = None
    product: dict[str, str] | None = None
    product_action: str = ""  # "", "add", "update"
    given: frozenset[str] = frozenset()  # the columns this row fills in
    key: tuple[int | None, str] = (None, "")  # (regency, normalised name), to match by name

    @property
    def status_label(self) -> str:
        return {
            "new": _("new"),
            "changed": _("changed"),
            "unchanged": _("unchanged"),
            "error": _("error"),
        }[self.status]


@dataclass
class ImportPlan:
    rows: list[RowPlan]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("new", "changed", "unchanged", "error")}

    @property
    def has_errors(self) -> bool:
        return any(row.status == "error" for row in self.rows)


class _References:
    """Provinces, regencies and sectors looked up by name or code, loaded once; each spelling
    met in the file is normalised once (a file repeats the same few hundred names)."""

    def __init__(self) -> None:
        self.provinces: dict[str, Province] = {}
        for province in Province.objects.all():
            for key in (province.name_id, province.name_en, province.code_kemendagri):
                self.provinces[_norm(key)] = province
        self.regencies: dict[tuple[int, str], Regency] = {}
        for regency in Regency.objects.all():
            short = re.sub(r"(?i)^(kabupaten|kab|kota)\.?\s+", "", regency.name_id)
            for key in (regency.name_id, regency.name_en, regency.code_kemendagri):
                self.regencies[(regency.province_id, _norm(key))] = regency
            if regency.kind == Regency.Kind.REGENCY:
                self.regencies.setdefault((regency.province_id, _norm(short)), regency)
        self.sectors: dict[str, Sector] = {}
        for sector in Sector.objects.all():
            for key in (sector.name_id, sector.name_en, sector.code):
                self.sectors[_norm(key)] = sector
        self._normed: dict[str, str] = {}

    def norm(self, text: str) -> str:
        normed = self._normed.get(text)
        if normed is None:
            normed = self._normed[text] = _norm(text)
        return normed


# The cell messages, translated only for a row that needs one.
NOT_AN_AMOUNT = gettext_lazy("The annual revenue is not an amount of rupiah: “%(value)s”.")
NOT_A_WHOLE_NUMBER = gettext_lazy("The number of employees is not a whole number: “%(value)s”.")
# What the columns hold at most (a bigint, and a PostgreSQL integer for the employees).
LARGEST = {
    "annual_revenue": 2**63 - 1,
    "employees_women": 2**31 - 1,
    "employees_men": 2**31 - 1,
}
NIB_PATTERN = re.compile(r"[0-9]{13}")
HS_CODE_PATTERN = re.compile(r"[0-9]{8}")
HS_CODE_SEPARATORS = re.compile(r"[\s.]")


def _clean_row(record: dict[str, object], refs: _References) -> RowPlan:
    texts = {key: _text(value) for key, value in record.items()}
    get = texts.get
    nib = normalise_nib(record.get("nib"))
    plan = RowPlan(line=int(record["_line"]), name=get("name", ""), nib=nib)
    plan.given = frozenset(key for key, text in texts.items() if text != "")
    errors = plan.errors
    values: dict[str, object] = {"nib": nib, "name": plan.name}
    if nib and not NIB_PATTERN.fullmatch(nib):
        errors.append(_("The NIB must be 13 digits."))
    if not plan.name:
        errors.append(_("The enterprise name is missing."))
    values["owner_name"] = get("owner_name", "")
    if not values["owner_name"]:
        errors.append(_("The owner's name is missing."))
    gender = get("owner_gender", "").lower()
    values["owner_gender"] = GENDER_WORDS.get(gender, "")
    if gender and not values["owner_gender"]:
        errors.append(_("Unknown gender “%(value)s”: write F or M.") % {"value": gender})
    province_text = get("province", "")
    province = refs.provinces.get(refs.norm(province_text))
    values["province"] = province
    if province is None:
        errors.append(_("Unknown province “%(value)s”.") % {"value": province_text})
    regency_text = get("regency", "")
    regency = None
    if regency_text and province is not None:
        regency = refs.regencies.get((province.pk, refs.norm(regency_text)))
        if regency is None:
            errors.append(
                _("Unknown regency or city “%(value)s” in %(province)s.")
                % {"value": regency_text, "province": province.name_id}
            )
    values["regency"] = regency
    values["address"] = get("address", "")
    sector_text = get("sector", "")
    values["sector"] = refs.sectors.get(refs.norm(sector_text)) if sector_text else None
    if sector_text and values["sector"] is None:
        errors.append(_("Unknown sector “%(value)s”.") % {"value": sector_text})
    size_text = get("size_class", "")
    values["size_class"] = SIZE_WORDS.get(refs.norm(size_text), "") if size_text else ""
    if size_text and not values["size_class"]:
        errors.append(_("Unknown size class “%(value)s”.") % {"value": size_text})
    for key, parse, message in (
        ("annual_revenue", parse_rupiah, NOT_AN_AMOUNT),
        ("employees_women", _whole, NOT_A_WHOLE_NUMBER),
        ("employees_men", _whole, NOT_A_WHOLE_NUMBER),
    ):
        try:
            values[key] = parse(record.get(key))
        except ValueError:
            errors.append(str(message) % {"value": get(key, "")})
            continue
        if values[key] > LARGEST[key]:
            errors.append(_("The number is too large: “%(value)s”.") % {"value": get(key, "")})
    product_name = get("product_name", "")
    hs_code = HS_CODE_SEPARATORS.sub("", get("product_hs_code", ""))
    if hs_code and not HS_CODE_PATTERN.fullmatch(hs_code):
        errors.append(_("An HS code has 8 digits (BTKI 2022)."))
    if product_name:
        plan.product = {"name": product_name[:200], "hs_code": hs_code}
    elif hs_code:
        errors.append(_("An HS code is given without a product name."))
    for key in ("name", "owner_name"):
        if len(str(values[key])) > 200:
            errors.append(_("A name is longer than 200 characters."))
    plan.values = values
    plan.key = (regency.pk if regency else None, _norm(plan.name))
    return plan


def _query_chunk() -> int:
    """How many values one IN (...) list takes on this database: a whole file of ten thousand
    rows in one query on PostgreSQL, SQLite's own limit of parameters otherwise."""
    limit = connection.features.max_query_params
    return min(QUERY_CHUNK, limit - 10) if limit else QUERY_CHUNK


def _chunks(items: list, size: int | None = None) -> Iterator[list]:
    size = size or _query_chunk()
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(plans: list[RowPlan], lock: bool) -> tuple[dict, dict]:
    """Enterprises already recorded, by NIB and by (regency, normalised name)."""
    base = Enterprise.objects.select_related("registered_by")
    if lock:
        base = base.select_for_update(of=("self",))
    by_nib: dict[str, Enterprise] = {}
    nibs = sorted({p.nib for p in plans if p.nib})
    for chunk in _chunks(nibs):
        for enterprise in base.filter(nib__in=chunk):
            by_nib[enterprise.nib] = enterprise
    by_name: dict[tuple[int | None, str], Enterprise] = {}
    wanted = sorted({p.name.lower() for p in plans if p.name and not (p.nib and p.nib in by_nib)})
    for chunk in _chunks(wanted):
        found = base.annotate(lname=Lower("name")).filter(lname__in=chunk)
        for enterprise in found:
            by_name.setdefault((enterprise.regency_id, _norm(enterprise.name)), enterprise)
    return by_nib, by_name


def _products_of(enterprise_ids: list[int]) -> dict[tuple[int, str], Product]:
    products: dict[tuple[int, str], Product] = {}
    for chunk in _chunks(enterprise_ids):
        for product in Product.objects.filter(enterprise_id__in=chunk):
            products.setdefault((product.enterprise_id, _norm(product.name)), product)
    return products


def _suggested_size(revenue: int) -> tuple[str, str]:
    size = Enterprise.size_class_for_revenue(revenue)
    basis = _("Annual revenue Rp%(revenue)s (PP 7/2021, art. 35)") % {"revenue": thousands(revenue)}
    return size, basis


def import_plan(
    *, records: Iterable[dict[str, object]], office: TradeOffice, lock: bool = False
) -> ImportPlan:
    """What importing ``records`` for ``office`` would do, row by row. Writes nothing."""
    refs = _References()
    plans = [_clean_row(record, refs) for record in records]
    seen_nib: dict[str, int] = {}
    seen_name: dict[tuple[int | None, str], int] = {}
    for plan in plans:
        key = plan.key
        if plan.nib and plan.nib in seen_nib:
            plan.errors.append(
                _("The same NIB is on line %(line)s of the file.") % {"line": seen_nib[plan.nib]}
            )
        elif plan.name and key in seen_name:
            plan.errors.append(
                _("The same enterprise (name and regency) is on line %(line)s of the file.")
                % {"line": seen_name[key]}
            )
        if plan.nib:
            seen_nib.setdefault(plan.nib, plan.line)
        if plan.name:
            seen_name.setdefault(key, plan.line)
    by_nib, by_name = _existing(plans, lock)
    for plan in plans:
        match = by_nib.get(plan.nib) if plan.nib else None
        if match is None:
            match = by_name.get(plan.key)
            if match is not None and match.nib and plan.nib and match.nib != plan.nib:
                match = None  # same name, another registration number: another enterprise
        plan.enterprise = match
        if match is not None and match.registered_by_id != office.pk:
            plan.errors.append(
                _("Registered by another office (%(office)s): it is not changed by this import.")
                % {"office": match.registered_by_id and _office_name(match)}
            )
    products = _products_of(sorted({p.enterprise.pk for p in plans if p.enterprise}))
    for plan in plans:
        if plan.errors:
            plan.status = "error"
            continue
        _compare(plan, products)
    return ImportPlan(rows=plans)


def _office_name(enterprise: Enterprise) -> str:
    office = enterprise.registered_by
    return office.short_name or office.name


def _compare(plan: RowPlan, products: dict[tuple[int, str], Product]) -> None:
    values = dict(plan.values)
    enterprise = plan.enterprise
    given = plan.given
    if not values["size_class"]:
        values.pop("size_class")
        revenue_moved = "annual_revenue" in given and (
            enterprise is None or enterprise.annual_revenue != values["annual_revenue"]
        )
        if enterprise is None or revenue_moved:
            values["size_class"], values["size_class_basis"] = _suggested_size(
                values["annual_revenue"]
            )
    else:
        values["size_class_basis"] = _("Given in the imported file")
    plan.values = values
    if enterprise is None:
        plan.status = "new"
        if plan.product:
            plan.product_action = "add"
        return
    for name, value in values.items():
        # A column left out of the file, or a cell left empty, keeps what is recorded: an
        # import fills in and corrects, it never erases.
        if name == "size_class_basis" or (name not in given and name != "size_class"):
            continue
        if name in FOREIGN_KEYS:
            current, value = getattr(enterprise, f"{name}_id"), value.pk if value else None
        else:
            current = getattr(enterprise, name)
        if current != value:
            plan.changes.append(name)
    if "size_class" in plan.changes:
        plan.changes.append("size_class_basis")
    if plan.product:
        existing = products.get((enterprise.pk, _norm(plan.product["name"])))
        if existing is None:
            plan.product_action = "add"
        elif plan.product["hs_code"] and existing.hs_code != plan.product["hs_code"]:
            plan.product_action = "update"
    plan.status = "changed" if plan.changes or plan.product_action else "unchanged"


def change_labels(plan: RowPlan) -> list[str]:
    """The changed fields of a row in the user's language, for the preview."""
    labels = [str(Enterprise._meta.get_field(name).verbose_name) for name in plan.changes]
    if plan.product_action == "add":
        labels.append(_("new product %(name)s") % {"name": plan.product["name"]})
    elif plan.product_action == "update":
        labels.append(_("HS code of %(name)s") % {"name": plan.product["name"]})
    return labels


# --- applying --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    products: int


@transaction.atomic
def import_apply(
    *,
    records: list[dict[str, object]],
    office: TradeOffice,
    actor: User,
    filename: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write the import: every row, or nothing when any row is in error.

    The plan is made again under row locks, so a record changed since the preview is compared
    as it is now. Each enterprise written gets a history row naming the file. ``progress``
    is told (rows written, rows to write) as the batches go in."""
    plan = import_plan(records=records, office=office, lock=True)
    if plan.has_errors:
        raise ValidationError(
            _("%(count)s rows have errors: nothing was imported. Correct the file and try again.")
            % {"count": thousands(plan.count("error"))}
        )
    reason = (_("Imported from %(file)s") % {"file": filename})[:100]
    new_rows = [row for row in plan.rows if row.status == "new"]
    created = [Enterprise(registered_by=office, **row.values) for row in new_rows]
    # The planner has checked the references, the NIB, the duplicates and the ranges; each
    # field the import fills is still held to its own rules (lengths, choices), which need
    # no query. The fields it leaves at their defaults are not looked at again.
    checked = [
        Enterprise._meta.get_field(name)
        for name in (*ENTERPRISE_FIELDS, "size_class_basis")
        if name not in FOREIGN_KEYS
    ]
    for enterprise in created:
        failed = {}
        for model_field in checked:
            try:
                model_field.clean(getattr(enterprise, model_field.attname), enterprise)
            except ValidationError as error:
                failed[model_field.name] = error.error_list
        if failed:
            raise ValidationError(failed)
    total = len(created) + sum(1 for row in plan.rows if row.status == "changed")
    written: list[Enterprise] = []
    for batch in _chunks(created, WRITE_BATCH):
        written += bulk_create_with_history(
            batch,
            Enterprise,
            batch_size=WRITE_BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
        if progress:
            progress(len(written), total)
    created = written
    for row, enterprise in zip(new_rows, created, strict=True):
        row.enterprise = enterprise
    changed_rows = [row for row in plan.rows if row.status == "changed" and row.changes]
    fields: set[str] = set()
    now = timezone.now()
    for row in changed_rows:
        row.enterprise.updated_at = now
        for name in row.changes:
            setattr(row.enterprise, name, row.values[name])
            fields.add(name)
    if changed_rows:
        bulk_update_with_history(
            [row.enterprise for row in changed_rows],
            Enterprise,
            sorted(fields | {"updated_at"}),
            batch_size=WRITE_BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
        if progress:
            progress(total, total)
    new_products = [
        Product(enterprise=row.enterprise, **row.product)
        for row in plan.rows
        if row.product_action == "add"
    ]
    Product.objects.bulk_create(new_products, batch_size=WRITE_BATCH)
    to_update = [row for row in plan.rows if row.product_action == "update"]
    if to_update:
        existing = _products_of([row.enterprise.pk for row in to_update])
        products = []
        for row in to_update:
            product = existing[(row.enterprise.pk, _norm(row.product["name"]))]
            product.hs_code = row.product["hs_code"]
            products.append(product)
        Product.objects.bulk_update(products, ["hs_code"], batch_size=WRITE_BATCH)
    return ImportResult(
        created=len(created),
        updated=plan.count("changed"),
        unchanged=plan.count("unchanged"),
        products=len(new_products) + len(to_update),
    )
