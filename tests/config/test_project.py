"""The README, the compose file and the Makefile keep saying what the code does."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def settings_variables() -> set[str]:
    text = (ROOT / "config/settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', text)) | set(
        re.findall(r'Env\(\)\.\w+\("([A-Z_]+)"', text)
    )


def test_every_environment_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    variables = settings_variables()
    assert {"DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL", "CACHE_URL"} <= variables
    undocumented = sorted(v for v in variables if f"`{v}`" not in readme)
    assert not undocumented, f"add to the README's table: {undocumented}"


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make run") < readme.index("## Configuration")
    assert "make test" in readme.split("## Configuration")[0]


def test_compose_has_the_production_topology():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "nginx"}
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "migrate" in services["web"]["command"]
    assert "gunicorn" in services["web"]["command"]
    for name in ("postgres", "redis", "web", "nginx"):
        assert "healthcheck" in services[name], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert {"pgdata", "media"} <= set(compose["volumes"])
    nginx_conf = (ROOT / "deploy/nginx.conf").read_text()
    assert "X-Forwarded-For" in nginx_conf and "location /static/" in nginx_conf
    assert "/media" not in nginx_conf  # uploads are served through permission checks only


def test_procfile_starts_web_worker_and_one_beat():
    lines = (ROOT / "Procfile.dev").read_text().split("\n")
    kinds = [line.split(":", 1)[0] for line in lines if line.strip()]
    assert sorted(kinds) == ["beat", "web", "worker"]


def test_every_phony_make_target_has_a_recipe():
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE).group(1).split()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    assert not sorted(set(phony) - targets), "listed in .PHONY without a target"
    # every `make x` the README mentions exists
    readme = (ROOT / "README.md").read_text()
    assert set(re.findall(r"`make ([a-z-]+)", readme)) <= targets


def test_readme_links_stay_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)\)", readme) + re.findall(r"`(\.\./[^`]+)`", readme)
    outside = [link for link in links if not link.startswith("http") and link.startswith("..")]
    assert not outside
    for link in links:
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link
    assert "docs/design.md" in links


def test_readme_claims_no_api_while_no_url_serves_one():
    from django.urls import Resolver404, resolve

    readme = (ROOT / "README.md").read_text()
    try:
        resolve("/api/v1/")
        api_exists = True
    except Resolver404:
        api_exists = False
    if not api_exists:
        for line in readme.splitlines():
            if "/api/v1/" in line:
                assert "not built yet" in line.lower() or "planned" in line.lower(), line
