from pathlib import Path

import pytest
import yaml

from tests.conftest import free_port


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_fails_when_the_broker_cannot_be_reached(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_healthz_fails_when_the_database_cannot_be_reached(client, monkeypatch):
    from config import health

    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


PRODUCTION_HOSTS = ["naikkelas.example.go.id"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "web:8000"])
def test_healthz_answers_the_containers_probes_whatever_allowed_hosts_holds(client, settings, host):
    settings.ALLOWED_HOSTS = PRODUCTION_HOSTS
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/masuk/", "/healthz/", "/healthzx"])
def test_every_other_path_still_refuses_a_foreign_host(client, settings, path):
    settings.ALLOWED_HOSTS = PRODUCTION_HOSTS
    assert client.get(path, HTTP_HOST="localhost").status_code == 400
    assert client.get(path, HTTP_HOST="naikkelas.example.go.id").status_code != 400


def compose_probe_hosts() -> dict[str, tuple[str, str]]:
    """Each HTTP health check in the production compose file: the URL and the Host it sends."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    probes = {}
    for name, service in compose["services"].items():
        test = service.get("healthcheck", {}).get("test", [])
        if "curl" not in test:
            continue
        url = next(part for part in test if part.startswith("http"))
        host = next(
            (part.split(":", 1)[1].strip() for part in test if part.lower().startswith("host:")),
            url.split("/")[2],
        )
        probes[name] = (url, host)
    return probes


def test_the_compose_file_probes_web_and_nginx_on_healthz():
    probes = compose_probe_hosts()
    assert set(probes) == {"web", "nginx"}
    assert all(url.endswith("/healthz") for url, _host in probes.values())
    # nginx passes the probe's Host on to the web container unchanged.
    assert "proxy_set_header Host $host;" in (ROOT / "deploy" / "nginx.conf").read_text()


@pytest.mark.django_db
def test_the_compose_health_checks_pass_with_a_production_allowed_hosts(client, settings):
    settings.ALLOWED_HOSTS = PRODUCTION_HOSTS
    for service, (_url, host) in compose_probe_hosts().items():
        response = client.get("/healthz", HTTP_HOST=host)
        assert response.status_code == 200, service
