"""Named personas shared by the suite, and the rule for tests that need a real server."""

import os
import shutil
import socket

import pytest
from django.db import connection

from accounts.models import OfficeMembership
from tests import factories as f

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    """Hash test passwords with a fast hasher: the default one costs ~0.3 s per user created."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def need(condition: bool, reason: str) -> None:
    """Skip when a server or tool is missing; fail instead when CI requires every service."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def need_postgres() -> None:
    need(connection.vendor == "postgresql", "this test needs PostgreSQL (DATABASE_URL)")


def need_program(name: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"{name} is not installed")
    return path


def read_and_close(response) -> bytes:
    """A response's body; a file response is read and closed without the end-of-request
    signal, which would close the test's own database connection."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    if not response.streaming:
        return response.content
    body = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploads and mail go to the test's own folder; static files need no collectstatic."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def lampung(db):
    return f.ProvinceFactory(
        code_kemendagri="18", code_bps="18", name_id="Lampung", name_en="Lampung"
    )


@pytest.fixture
def jateng(db):
    return f.ProvinceFactory(
        code_kemendagri="33", code_bps="33", name_id="Jawa Tengah", name_en="Central Java"
    )


@pytest.fixture
def office_lampung(lampung):
    return f.TradeOfficeFactory(
        name="Dinas Perindustrian dan Perdagangan Provinsi Lampung",
        short_name="Disperindag Lampung",
        province=lampung,
        ikm_population=95_000,
        exporter_target_percent=30,
    )


@pytest.fixture
def office_jateng(jateng):
    return f.TradeOfficeFactory(
        name="Dinas Perindustrian dan Perdagangan Provinsi Jawa Tengah",
        short_name="Disperindag Jateng",
        province=jateng,
    )


@pytest.fixture
def staff_lampung(office_lampung):
    return f.staff_of(office_lampung, email="staf@lampung.test", full_name="Staf Lampung")


@pytest.fixture
def manager_lampung(office_lampung):
    return f.staff_of(
        office_lampung, role=OfficeMembership.Role.MANAGER, email="kepala@lampung.test"
    )


@pytest.fixture
def staff_jateng(office_jateng):
    return f.staff_of(office_jateng, email="staf@jateng.test", full_name="Staf Jateng")


@pytest.fixture
def funder_lpei(db):
    return f.FunderFactory(name="Lembaga Pembiayaan Ekspor Indonesia", short_name="LPEI")


@pytest.fixture
def funder_pasar(db):
    return f.FunderFactory(name="Pasar Digital Ekspor", short_name="PASAR", kind="marketplace")


@pytest.fixture
def analyst_lpei(funder_lpei):
    return f.analyst_of(funder_lpei, email="analis@lpei.test")


@pytest.fixture
def analyst_pasar(funder_pasar):
    return f.analyst_of(funder_pasar, email="analis@pasar.test")


@pytest.fixture
def national_viewer(db):
    return f.UserFactory(email="pusat@kemenperin.test", is_staff=True, is_national_viewer=True)


@pytest.fixture
def superuser(db):
    return f.UserFactory(email="admin@naikkelas.test", is_staff=True, is_superuser=True)


@pytest.fixture
def program_lampung(office_lampung, funder_lpei):
    program = f.ProgramFactory(office=office_lampung, name="Forum Ekspor Lampung")
    f.FundingFactory(program=program, funder=funder_lpei)
    return program


@pytest.fixture
def program_jateng(office_jateng, funder_pasar):
    program = f.ProgramFactory(office=office_jateng, name="Program Ekspor Jawa Tengah")
    f.FundingFactory(program=program, funder=funder_pasar, kind="sponsorship")
    return program


@pytest.fixture
def enterprise_a(office_lampung):
    return f.EnterpriseFactory(name="Kopi Lampung Jaya", registered_by=office_lampung)


@pytest.fixture
def enterprise_b(office_lampung):
    return f.EnterpriseFactory(name="Keripik Pisang Bu Tini", registered_by=office_lampung)


@pytest.fixture
def enterprise_jateng(office_jateng):
    return f.EnterpriseFactory(name="Batik Pekalongan Asri", registered_by=office_jateng)


@pytest.fixture
def participant_a(enterprise_a):
    return f.owner_of(enterprise_a, email="pemilik@kopi.test", full_name="Siti Aminah")


@pytest.fixture
def participant_b(enterprise_b):
    return f.owner_of(enterprise_b, email="pemilik@keripik.test", full_name="Tini Suhartini")
