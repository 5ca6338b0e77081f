"""The site under load: locust's simulated people against gunicorn on PostgreSQL.

50 users (BENCH_LOAD_USERS) for 120 s (BENCH_LOAD_SECONDS; QUICK=1: 30 s): 40 enterprise
owners browsing the portal (home, classes, requests, exports) and 10 funders' programs
reading the API (summary, breakdown, programs, cohorts), each with its own key, 1–3 s between
two requests. The database is the run's own copy of the cached dataset (`harness.dataset`:
demo + 10,000 synthetic enterprises, BENCH_LOAD_ENTERPRISES) on the PostgreSQL server
DATABASE_URL names, with 40 owner accounts and 10 keys added, dropped afterwards. The measured
window opens once every participant has signed in. gunicorn runs the project's production
settings (DEBUG off, PBKDF2 passwords, whitenoise, a Redis cache of its own for the API
throttle) with 3 sync workers as the Dockerfile does (BENCH_LOAD_WORKERS), plain http on a
free port of 127.0.0.1.

Printed: p50 and p95 per page and endpoint, and the errors (every failed request; 0 is
required). Recorded: the portal home's median ÷ the median of /bench/floor/ (a signed-in page
running one query, bench/loadsite/urls.py), target at most 3; and the error count.
Nothing here asserts a time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import QUICK, ROOT, database_url, dataset, header, record, setup_django

USERS = int(os.environ.get("BENCH_LOAD_USERS", 50))
API_USERS = int(os.environ.get("BENCH_LOAD_API_USERS", max(1, USERS // 5)))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 30 if QUICK else 120))
ENTERPRISES = int(os.environ.get("BENCH_LOAD_ENTERPRISES", 10_000))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", 3))  # the Dockerfile's --workers 3
PASSWORD = "beban-uji-naikkelas"
TARGET = 3.0
BIN = Path(sys.executable).parent
# gunicorn's access log: when, what, and how long the worker took (microseconds)
ACCESS_LOG_FORMAT = "%(t)s|%(U)s|%(q)s|%(s)s|%(D)s"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# The people.


def plan_users(portal: int, api: int) -> dict:
    """Owners (with the production hasher's password) of distinct enterprises that have a class
    or a request, half each, and one API key per API user, spread over the funders; then the
    planner's statistics."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import Enterprise, EnterpriseMembership, Funder, User
    from cohorts.models import Funding, Program
    from reports import services
    from seeds.synthetic import SYNTHETIC_PROGRAM_PREFIX

    with_class = Enterprise.objects.filter(
        enrollments__cohort__isnull=False, memberships__isnull=True
    ).distinct()
    with_case = Enterprise.objects.filter(cases__isnull=False, memberships__isnull=True).distinct()
    half = (portal + 1) // 2
    chosen = list(with_class.order_by("pk").values_list("pk", flat=True)[:half])
    chosen += list(
        with_case.exclude(pk__in=chosen)
        .order_by("pk")
        .values_list("pk", flat=True)[: portal - len(chosen)]
    )
    if len(chosen) < portal:
        raise SystemExit(f"only {len(chosen)} enterprises with a class or a request")
    hashed = make_password(PASSWORD)  # once: the hasher's cost is paid at sign-in, not here
    users = User.objects.bulk_create(
        User(email=f"pemilik-{pk}@beban.naikkelas.test", password=hashed, full_name=f"Owner {pk}")
        for pk in chosen
    )
    EnterpriseMembership.objects.bulk_create(
        EnterpriseMembership(user=user, enterprise_id=pk, role=EnterpriseMembership.Role.OWNER)
        for user, pk in zip(users, chosen, strict=True)
    )
    funders = list(Funder.objects.filter(fundings__isnull=False).distinct().order_by("pk"))
    # The demo's funders fund the synthetic programme too, so the API reads the whole dataset.
    Funding.objects.bulk_create(
        Funding(program=program, funder=funder, amount=1_000_000_000)
        for program in Program.objects.filter(name__startswith=SYNTHETIC_PROGRAM_PREFIX)
        for funder in funders
    )
    keys = [
        services.api_key_issue(funder=funders[i % len(funders)], name=f"load {i}")[1]
        for i in range(api)
    ]
    # Statistics and visibility as a database in service has them (autovacuum's work): the
    # rows were just bulk-inserted, and a planner without statistics picks nested loops.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "portal": [{"email": user.email, "password": PASSWORD} for user in users],
        "api_keys": keys,
    }


# ---------------------------------------------------------------------------------------------
# The servers.


def wait_for(url: str, seconds: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def site(database_url: str, work: Path) -> Iterator[str]:
    """gunicorn serving the project with production settings; yields its base URL."""
    redis_port, port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loadsite.settings",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"rediscache://127.0.0.1:{redis_port}/0",
        # plain http on the loopback: no redirect to https, cookies sent without TLS
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STAFF_TWO_FACTOR_REQUIRED": "0",
        "VAR_DIR": str(work / "var"),
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    redis = gunicorn = None
    try:
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        log = open(work / "gunicorn.log", "w")  # noqa: SIM115
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                # not the shared default socket another gunicorn on the machine may hold
                "--no-control-socket",
                "--access-logfile",
                str(work / "access.log"),
                "--access-logformat",
                ACCESS_LOG_FORMAT,
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(f"http://127.0.0.1:{port}/healthz", 60, gunicorn)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(gunicorn)
        stop(redis)


def run_locust(base_url: str, plan: dict, work: Path) -> dict:
    plan_file, out = work / "plan.json", work / "result.json"
    plan_file.write_text(json.dumps({**plan, "out": str(out)}))
    # the run's own bound: every user signed in, the window, and room to spare
    limit = SECONDS + 300
    with open(work / "locust.log", "w") as log:
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "loadsite" / "locustfile.py"),
                "--headless",
                "--host",
                base_url,
                "-u",
                str(USERS),
                "-r",
                "10",
                "-t",
                f"{limit}s",
                "--stop-timeout",
                "10",
                "--only-summary",
            ],
            env={**os.environ, "LOAD_PLAN": str(plan_file)},
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=limit + 60,
        )
    if not out.exists():
        print((work / "locust.log").read_text()[-3000:])
        raise RuntimeError("locust ended before the measured window closed")
    return json.loads(out.read_text())


def server_times(work: Path, window: list[float]) -> dict[str, list[float]]:
    """Each path's times inside the workers (ms) during the window, from gunicorn's access log:
    what the request cost without its wait for a free worker."""
    times = defaultdict(list)
    for line in (work / "access.log").read_text().splitlines():
        stamp, path, query, _status, micros = line.split("|")
        at = dt.datetime.strptime(stamp, "[%d/%b/%Y:%H:%M:%S %z]").timestamp()
        if window[0] <= at + 0.5 and at <= window[1]:
            times[f"{path}?{query}" if query else path].append(int(micros) / 1000)
    return times


def report(result: dict, work: Path) -> int:
    entries = result["entries"]
    total = sum(e["count"] for e in entries.values())
    failed = sum(e["failures"] for e in entries.values())
    errors = failed + result["failures_before_window"] + result["task_exceptions"]
    inside = server_times(work, result["window"])
    print(
        f"{'page or endpoint':32} {'requests':>8} {'failures':>8} {'p50 ms':>8} {'p95 ms':>8}"
        f"   {'in the worker: p50':>18} {'p95':>8}"
    )
    for name, e in entries.items():
        worker = sorted(inside.get(e["path"], [0.0]))
        print(
            f"{name:32} {e['count']:8} {e['failures']:8} {e['p50_ms']:8.1f} {e['p95_ms']:8.1f}"
            f"   {statistics.median(worker):18.1f} {worker[int(0.95 * (len(worker) - 1))]:8.1f}"
        )
    print(
        f"{total} requests in {result['seconds']} s ({total / result['seconds']:.1f}/s), "
        f"{errors} errors ({result['failures_before_window']} of them while signing in); "
        f"every user signed in after {result['sign_in_seconds']:.1f} s"
    )
    for text, n in result["errors"].items():
        print(f"  {n} x {text}")
    if errors:
        logged = (work / "gunicorn.log").read_text().splitlines()
        print("\n".join(line for line in logged if not line.startswith("127.0.0.1 - "))[-4000:])
    home, floor = entries.get("portal home"), entries.get("floor (one query, signed in)")
    shape = (
        f"PostgreSQL, demo + {ENTERPRISES:,} synthetic enterprises, gunicorn {WORKERS} sync "
        f"workers (as the Dockerfile), {USERS} users ({API_USERS} API), {SECONDS} s"
    )
    if home and floor:
        record(
            f"load_portal_home_vs_floor_{ENTERPRISES}_enterprises",
            home["p50_ms"] / 1000,
            floor["p50_ms"] / 1000,
            kind="time",
            target=TARGET,
            note=f"{shape}; p50 of the home ÷ p50 of a signed-in page running one query, "
            "as the users saw them (waits for a free worker included)",
        )
        # Once the workers are saturated, both medians are mostly the wait for a free worker
        # and the ratio drifts towards 1 whatever the home costs: the workers' own times say
        # what the home costs next to the floor.
        home_inside, floor_inside = inside.get(home["path"]), inside.get(floor["path"])
        if home_inside and floor_inside:
            record(
                f"load_portal_home_vs_floor_in_worker_{ENTERPRISES}_enterprises",
                statistics.median(home_inside) / 1000,
                statistics.median(floor_inside) / 1000,
                kind="time",
                target=TARGET,
                note=f"{shape}; the same medians inside the gunicorn workers (access log)",
            )
    record(
        f"load_errors_{ENTERPRISES}_enterprises",
        errors,
        None,
        kind="measure",
        unit="count",
        note=f"{shape}; failed requests out of {total} (0 required)",
    )
    return errors


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("load: skipped, DATABASE_URL must name a PostgreSQL server")
        return 0
    setup_django()
    from django.db import connection

    header()
    with tempfile.TemporaryDirectory(prefix="naikkelas-load-") as tmp, dataset(ENTERPRISES) as db:
        work = Path(tmp)
        plan = plan_users(USERS - API_USERS, API_USERS)
        plan.update(users=USERS, api_users=API_USERS, seconds=SECONDS)
        connection.close()
        with site(database_url(db), work) as base_url:
            result = run_locust(base_url, plan, work)
        report(result, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
