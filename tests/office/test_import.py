"""Importing enterprises from a spreadsheet: preview, confirm, all or nothing, scoping."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Enterprise, Product
from office import imports
from tests import factories as f
from tests.office.conftest import csv_file, row, xlsx_file

pytestmark = pytest.mark.django_db


def plan_of(data: bytes, office, name="ikm.csv"):
    return imports.import_plan(records=imports.read_rows(data=data, filename=name), office=office)


def test_safe_values_are_normalised(office_lampung, lampung_selatan, food):
    data = csv_file([row(nib="91 2000.1234-567", annual_revenue="Rp 1.500.000")])
    plan = plan_of(data, office_lampung)
    (only,) = plan.rows
    assert only.status == "new", only.errors
    assert only.values["nib"] == "9120001234567"
    assert only.values["annual_revenue"] == 1_500_000
    assert only.values["regency"] == lampung_selatan
    assert only.values["owner_gender"] == "F"
    assert only.values["size_class"] == "micro"


def test_each_bad_row_says_why(office_lampung, lampung_selatan, food):
    data = csv_file(
        [
            row(nib="12345", name="A"),
            row(nib="9120001234568", name="B", province="Atlantis"),
            row(nib="9120001234569", name="C", regency="Gotham"),
            row(nib="9120001234570", name="D", sector="Perhiasan Bulan"),
            row(nib="9120001234570", name="E"),
            row(nib="", name="F", annual_revenue="banyak"),
        ]
    )
    errors = {r.name: " ".join(r.errors) for r in plan_of(data, office_lampung).rows}
    assert "13 digits" in errors["A"]
    assert "Unknown province" in errors["B"]
    assert "Unknown regency" in errors["C"]
    assert "Unknown sector" in errors["D"]
    assert "line 5" in errors["E"] and "same NIB" in errors["E"]
    assert "rupiah" in errors["F"]


def test_rows_match_by_nib_then_by_name_and_regency(office_lampung, lampung_selatan, food):
    by_nib = f.EnterpriseFactory(
        registered_by=office_lampung, nib="9120001234567", name="Nama Lama", regency=lampung_selatan
    )
    by_name = f.EnterpriseFactory(
        registered_by=office_lampung,
        nib="",
        name="Kopi Robusta Tanggamus",
        regency=lampung_selatan,
        owner_name="Sri Wahyuni",
        owner_gender="F",
        sector=food,
        annual_revenue=1_500_000,
        employees_women=4,
        employees_men=1,
    )
    by_name.size_class, by_name.size_class_basis = "micro", "x"
    by_name.save()
    data = csv_file(
        [
            row(nib="9120001234567", name="Nama Baru"),
            row(nib="", name="KOPI robusta  tanggamus"),
            row(nib="9120001234999", name="Usaha Baru"),
        ]
    )
    plan = plan_of(data, office_lampung)
    first, second, third = plan.rows
    assert (first.status, first.enterprise) == ("changed", by_nib)
    assert "name" in first.changes
    assert second.enterprise == by_name
    assert second.status == "changed" and "name" in second.changes  # the spelling moves
    assert (third.status, third.enterprise) == ("new", None)


def test_preview_and_confirm_give_the_same_result(
    client, staff_lampung, office_lampung, lampung_selatan, food
):
    existing = f.EnterpriseFactory(
        registered_by=office_lampung, nib="9120001234567", name="Lama", regency=lampung_selatan
    )
    data = xlsx_file(
        [
            row(
                nib="9120001234567",
                name="Lama Berganti",
                product_name="Keripik",
                product_hs_code="2008.99.90",
            ),
            row(nib="9120001234001", name="Baru Satu"),
            row(nib="9120001234002", name="Baru Dua", size_class="Kecil"),
        ]
    )
    client.force_login(staff_lampung)
    preview = client.post(
        reverse("admin:accounts_enterprise_import"),
        {"file": SimpleUploadedFile("ikm.xlsx", data), "office": office_lampung.pk},
    )
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.counts == {"new": 2, "changed": 1, "unchanged": 0, "error": 0}
    assert Enterprise.objects.count() == 1  # nothing is written by the preview
    confirm = preview.context["confirm"]
    response = client.post(
        reverse("admin:accounts_enterprise_import_confirm"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Enterprise.objects.count() == 1 + plan.counts["new"]
    existing.refresh_from_db()
    assert existing.name == "Lama Berganti"
    assert Product.objects.get(enterprise=existing).hs_code == "20089990"
    assert Enterprise.objects.get(nib="9120001234002").size_class == "small"
    assert Enterprise.objects.get(nib="9120001234001").registered_by == office_lampung
    # Planning the same file again now finds everything as written.
    again = plan_of(data, office_lampung, "ikm.xlsx")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "error": 0}
    # The history says who imported what, from which file.
    record = existing.history.first()
    assert record.history_user == staff_lampung
    assert record.history_change_reason == "Imported from ikm.xlsx"
    created = Enterprise.objects.get(nib="9120001234001").history.get()
    assert (created.history_type, created.history_user) == ("+", staff_lampung)


def test_an_error_row_blocks_the_confirm_and_nothing_is_written(
    office_lampung, staff_lampung, lampung_selatan, food
):
    existing = f.EnterpriseFactory(registered_by=office_lampung, nib="9120001234567", name="Lama")
    records = imports.read_rows(
        data=csv_file(
            [row(nib="9120001234567", name="Berubah"), row(nib="9120001234001", province="X")]
        ),
        filename="ikm.csv",
    )
    with pytest.raises(ValidationError, match="nothing was imported"):
        imports.import_apply(
            records=records, office=office_lampung, actor=staff_lampung, filename="ikm.csv"
        )
    existing.refresh_from_db()
    assert existing.name == "Lama"
    assert Enterprise.objects.count() == 1
    assert existing.history.count() == 1


def test_the_confirm_button_is_not_offered_with_errors_and_a_forced_post_writes_nothing(
    client, staff_lampung, office_lampung, lampung_selatan, food
):
    client.force_login(staff_lampung)
    data = csv_file([row(), row(nib="9120001234001", name="Lain", sector="Tidak Ada")])
    preview = client.post(
        reverse("admin:accounts_enterprise_import"),
        {"file": SimpleUploadedFile("ikm.csv", data), "office": office_lampung.pk},
    )
    assert "Confirm the import" not in preview.content.decode()
    confirm = preview.context["confirm"]
    response = client.post(
        reverse("admin:accounts_enterprise_import_confirm"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 200
    assert "nothing was imported" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_another_offices_enterprise_is_never_overwritten(
    client, staff_jateng, office_jateng, office_lampung, lampung_selatan, food
):
    theirs = f.EnterpriseFactory(
        registered_by=office_lampung, nib="9120001234567", name="Milik Lampung"
    )
    plan = plan_of(csv_file([row(nib="9120001234567", name="Diambil")]), office_jateng)
    (only,) = plan.rows
    assert only.status == "error"
    assert "another office" in only.errors[0]
    # Staff of Central Java cannot pick the Lampung office to import into either.
    client.force_login(staff_jateng)
    response = client.post(
        reverse("admin:accounts_enterprise_import"),
        {"file": SimpleUploadedFile("ikm.csv", csv_file([row()])), "office": office_lampung.pk},
    )
    assert response.status_code == 200
    assert "plan" not in response.context
    theirs.refresh_from_db()
    assert theirs.name == "Milik Lampung"


def test_a_confirm_token_of_another_user_is_refused(
    client, staff_lampung, manager_lampung, office_lampung, lampung_selatan, food
):
    client.force_login(staff_lampung)
    preview = client.post(
        reverse("admin:accounts_enterprise_import"),
        {"file": SimpleUploadedFile("ikm.csv", csv_file([row()])), "office": office_lampung.pk},
    )
    confirm = preview.context["confirm"]
    client.force_login(manager_lampung)
    response = client.post(
        reverse("admin:accounts_enterprise_import_confirm"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert not Enterprise.objects.exists()


def test_national_viewers_may_not_import(client, national_viewer):
    client.force_login(national_viewer)
    assert client.get(reverse("admin:accounts_enterprise_import")).status_code == 403


def test_formulas_are_read_as_text_never_evaluated(office_lampung, lampung_selatan, food):
    data = xlsx_file([row(name="=1+1", owner_name='=HYPERLINK("http://x")')])
    (only,) = plan_of(data, office_lampung, "ikm.xlsx").rows
    assert only.values["name"] == "=1+1"
    assert only.values["owner_name"].startswith("=HYPERLINK")


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "entries",
    [
        {"xl/worksheets/sheet1.xml": b"\0" * (40 * 1024 * 1024)},  # a tiny file, huge unpacked
        {f"xl/part{n}.xml": b"x" for n in range(imports.MAX_ZIP_ENTRIES + 1)},
    ],
    ids=["bomb", "many-entries"],
)
def test_a_bomb_xlsx_is_refused_without_being_unpacked(monkeypatch, entries):
    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    data = _zip_bytes(entries)
    assert len(data) < imports.MAX_FILE_BYTES
    with pytest.raises(imports.ImportRefused):
        imports.read_rows(data=data, filename="bom.xlsx")


def test_an_oversized_file_is_refused_with_a_clear_message(
    client, staff_lampung, office_lampung, settings
):
    client.force_login(staff_lampung)
    big = SimpleUploadedFile("ikm.csv", b"x" * (imports.MAX_FILE_BYTES + 1))
    response = client.post(
        reverse("admin:accounts_enterprise_import"), {"file": big, "office": office_lampung.pk}
    )
    assert response.status_code == 200
    assert "larger than" in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, staff_lampung, office_lampung):
    client.force_login(staff_lampung)
    response = client.post(
        reverse("admin:accounts_enterprise_import"),
        {"file": SimpleUploadedFile("ikm.xlsx", b"not a zip"), "office": office_lampung.pk},
    )
    assert response.status_code == 200
    assert "not an Excel" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_the_template_has_drop_down_lists_and_imports_as_filled(
    client, staff_lampung, office_lampung, lampung_selatan, food
):
    client.force_login(staff_lampung)
    response = client.get(reverse("admin:accounts_enterprise_import_template"))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["IKM"]
    formulas = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert len(formulas) == 5  # gender, province, regency, sector, size
    lists = workbook["lists"]
    assert "Kabupaten Lampung Selatan" in [c.value for c in lists["B"]]
    assert "Makanan dan Minuman" in [c.value for c in lists["C"]]
    # Filled in with the labels of its own header row, it imports.
    values = row(regency="Kabupaten Lampung Selatan", size_class="Mikro")
    keys = [c.key for c in imports.COLUMNS]
    sheet.append([values.get(key) for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (only,) = plan_of(buffer.getvalue(), office_lampung, "template.xlsx").rows
    assert only.status == "new", only.errors


def test_a_large_import_runs_in_the_worker_with_its_progress(
    client,
    staff_lampung,
    office_lampung,
    lampung_selatan,
    food,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from config.celery import app
    from office import background

    monkeypatch.setattr(background, "BACKGROUND_ROWS", 1)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        _run_large_import(client, staff_lampung, office_lampung, django_capture_on_commit_callbacks)
    finally:
        app.conf.task_always_eager = previous


def _run_large_import(client, staff_lampung, office_lampung, django_capture_on_commit_callbacks):
    client.force_login(staff_lampung)
    data = csv_file([row(), row(nib="9120001234001", name="Baru Dua")])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        uploaded = client.post(
            reverse("admin:accounts_enterprise_import"),
            {"file": SimpleUploadedFile("besar.csv", data), "office": office_lampung.pk},
        )
    status_url = uploaded["Location"]
    assert "/import/status/?token=" in status_url
    planning = client.get(status_url).content.decode()
    assert "being checked row by row" in planning and 'http-equiv="refresh"' in planning
    for callback in callbacks:
        callback()  # the worker plans the preview
    preview = client.get(status_url)
    assert preview.context["plan"].counts == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    assert "Confirm the import" in preview.content.decode()
    assert not Enterprise.objects.exists()
    confirm = preview.context["confirm"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:accounts_enterprise_import_confirm"),
            {name: confirm[name].value() for name in confirm.fields},
        )
    assert response["Location"] == status_url
    queued = client.get(status_url)
    assert "waiting for its turn" in queued.content.decode()
    assert 'http-equiv="refresh"' in queued.content.decode()
    assert not Enterprise.objects.exists()
    for callback in callbacks:
        callback()
    assert Enterprise.objects.count() == 2
    done = client.get(status_url).content.decode()
    assert "besar.csv is imported: 2 new enterprises" in done
    assert 'http-equiv="refresh"' not in done
    # Running the tasks again changes nothing.
    from office.tasks import import_confirm, import_preview

    token = confirm["token"].value()
    kwargs = {
        "user_id": staff_lampung.pk,
        "office_id": office_lampung.pk,
        "token": token,
        "filename": "besar.csv",
    }
    assert import_confirm(**kwargs) == "done"
    assert import_preview(**kwargs) == "done"
    assert Enterprise.objects.count() == 2


def test_the_import_status_of_another_user_is_not_shown(client, staff_lampung, manager_lampung):
    from office import background

    token = "0" * 32 + ".csv"
    background.status_write(
        staff_lampung.pk,
        token,
        state="done",
        created=1,
        updated=0,
        unchanged=0,
        filename="rahasia.csv",
    )
    client.force_login(manager_lampung)
    page = client.get(reverse("admin:accounts_enterprise_import_status"), {"token": token})
    assert page.status_code == 200 and "rahasia.csv" not in page.content.decode()


def test_a_column_left_out_or_empty_keeps_what_is_recorded(office_lampung, lampung_selatan, food):
    existing = f.EnterpriseFactory(
        registered_by=office_lampung,
        nib="9120001234567",
        name="Kopi Jaya",
        address="Jalan Lama 1",
        sector=food,
        regency=lampung_selatan,
        employees_women=9,
    )
    header = ["nib", "name", "owner_name", "province", "address", "employees_women"]
    data = csv_file(
        [
            {
                "nib": "9120001234567",
                "name": "Kopi Jaya",
                "owner_name": existing.owner_name,
                "province": "Lampung",
                "address": "",
                "employees_women": "11",
            }
        ],
        header=header,
    )
    (only,) = plan_of(data, office_lampung).rows
    assert only.status == "changed"
    assert only.changes == ["employees_women"]


def test_the_history_page_names_the_import(
    client, staff_lampung, office_lampung, lampung_selatan, food
):
    records = imports.read_rows(data=csv_file([row()]), filename="ikm.csv")
    imports.import_apply(
        records=records, office=office_lampung, actor=staff_lampung, filename="dari-kabupaten.csv"
    )
    enterprise = Enterprise.objects.get(nib="9120001234567")
    client.force_login(staff_lampung)
    page = client.get(reverse("admin:accounts_enterprise_history", args=[enterprise.pk]))
    text = page.content.decode()
    assert "Imported from dari-kabupaten.csv" in text
    assert "staf@lampung.test" in text or "Staf Lampung" in text


def _mixed_rows(count: int, office, regency, sector) -> list[dict]:
    """Rows half matching recorded enterprises (by NIB, by name with and without an NIB, one
    of another office), half new."""
    rows = []
    for n in range(count):
        kind = n % 6
        nib = f"91200{n:08d}"
        if kind == 0:  # recorded with this NIB, the name moves
            f.EnterpriseFactory(registered_by=office, nib=nib, name=f"Lama {n}", regency=regency)
            rows.append(row(nib=nib, name=f"Baru {n}"))
        elif kind == 1:  # recorded without an NIB, found by name and regency
            f.EnterpriseFactory(registered_by=office, nib="", name=f"Usaha {n}", regency=regency)
            rows.append(row(nib="", name=f"usaha  {n}", address=f"Jalan {n}"))
        elif kind == 2:  # the same name with another NIB: another enterprise
            f.EnterpriseFactory(registered_by=office, nib=nib, name=f"Kembar {n}", regency=regency)
            rows.append(row(nib=f"93300{n:08d}", name=f"Kembar {n}"))
        elif kind == 3:  # recorded by name, now given its NIB
            f.EnterpriseFactory(registered_by=office, nib="", name=f"Tanpa {n}", regency=regency)
            rows.append(row(nib=nib, name=f"Tanpa {n}", product_name=f"Produk {n}"))
        elif kind == 4:  # another office's enterprise
            f.EnterpriseFactory(nib=nib, name=f"Milik Lain {n}", regency=regency)
            rows.append(row(nib=nib, name=f"Milik Lain {n}"))
        else:
            rows.append(row(nib=nib, name=f"Benar Baru {n}", sector=sector.name_id))
    return rows


def _outcome(plan_row):
    enterprise = plan_row.enterprise.pk if plan_row.enterprise else None
    return (plan_row.status, enterprise, plan_row.changes, plan_row.product_action, plan_row.errors)


def test_a_whole_file_is_matched_as_each_row_alone_would_be(office_lampung, lampung_selatan, food):
    rows = _mixed_rows(36, office_lampung, lampung_selatan, food)
    together = plan_of(csv_file(rows), office_lampung).rows
    alone = [plan_of(csv_file([one]), office_lampung).rows[0] for one in rows]
    assert [_outcome(r) for r in together] == [_outcome(r) for r in alone]
    assert {r.status for r in together} == {"new", "changed", "error"}


def test_an_xlsx_without_formulas_reads_as_openpyxl_reads_it():
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"] = "nib"  # the table starts below and right of the corner
    sheet["C3"] = "name"
    sheet["D3"] = "annual_revenue"
    sheet.append([None, "9120001234567", "Kopi  Jaya", 1_500_000])
    sheet.append([None, 9120001234568, None, 2.5])
    sheet.append([None, dt.date(2024, 5, 1), True, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert not imports._has_formulas(zipfile.ZipFile(io.BytesIO(data)))
    assert list(imports._calamine_rows(data)) == list(imports._openpyxl_rows(data))


def test_an_xlsx_with_a_formula_is_detected(office_lampung, lampung_selatan, food):
    data = xlsx_file([row(name="Biasa"), row(nib="9120001234001", name="=A2&B2")])
    assert imports._has_formulas(zipfile.ZipFile(io.BytesIO(data)))
    names = [r.name for r in plan_of(data, office_lampung, "ikm.xlsx").rows]
    assert names == ["Biasa", "=A2&B2"]


@pytest.mark.parametrize("count", [1, 30])
def test_the_preview_and_confirm_queries_do_not_grow_with_the_rows(
    count, office_lampung, staff_lampung, lampung_selatan, food, django_assert_max_num_queries
):
    rows = _mixed_rows(count, office_lampung, lampung_selatan, food)
    rows = [r for r in rows if "Milik Lain" not in r["name"]]  # an error would stop the confirm
    data = xlsx_file(rows)
    with django_assert_max_num_queries(8):
        plan_of(data, office_lampung, "ikm.xlsx")
    records = imports.read_rows(data=data, filename="ikm.xlsx")
    with django_assert_max_num_queries(20):
        imports.import_apply(
            records=records, office=office_lampung, actor=staff_lampung, filename="ikm.xlsx"
        )


def test_a_number_too_large_for_its_column_is_an_error_in_the_preview(
    office_lampung, staff_lampung, lampung_selatan, food
):
    data = csv_file([row(employees_men="3000000000"), row(nib="", name="B", annual_revenue="1")])
    first, second = plan_of(data, office_lampung).rows
    assert first.status == "error" and "too large" in first.errors[0]
    assert second.status == "new"
    records = imports.read_rows(data=data, filename="ikm.csv")
    with pytest.raises(ValidationError, match="nothing was imported"):
        imports.import_apply(
            records=records, office=office_lampung, actor=staff_lampung, filename="ikm.csv"
        )
    assert not Enterprise.objects.exists()
