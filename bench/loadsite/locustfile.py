"""The simulated people of bench/load.py: participants browsing the portal and funders' programs
reading the API.

bench/load.py writes a plan (JSON, its path in LOAD_PLAN): the participants' e-mail addresses
and password, one API key per API user, the number of users and the seconds to measure. Each
participant signs in once through the real sign-in page (the CSRF token taken from its form),
as a person does at the start of a visit; the measured window opens only when every user is
signed in, so the password hasher's cost (PBKDF2, as in production) is not counted in the pages'
times. The window's samples (every response time and failure), and the failures before it
(signing in included), are written to the plan's "out" file when it closes, and locust is told
to stop.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from collections import Counter, defaultdict
from itertools import count
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

portal_accounts = iter(PLAN["portal"])
api_keys = iter(PLAN["api_keys"])
ready = count(1)
state = {"measuring": False, "started": time.monotonic(), "failures_before_window": 0}
samples: dict[str, list[float]] = defaultdict(list)
paths: dict[str, str] = {}
failures: Counter = Counter()
errors: Counter = Counter()


@events.request.add_listener
def on_request(request_type, name, response_time, response_length, exception=None, **kwargs):
    """Times count inside the window only; a failure counts whenever it happens."""
    if exception is not None:
        errors[f"{name}: {exception}"[:200]] += 1
        if not state["measuring"]:
            state["failures_before_window"] += 1
    if not state["measuring"]:
        return
    samples[name].append(response_time)
    url = urlsplit(kwargs.get("url") or "")
    paths[name] = f"{url.path}?{url.query}" if url.query else url.path
    if exception is not None:
        failures[name] += 1


def percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def close_window(environment, sign_in_seconds: float) -> None:
    opened = time.time()
    gevent.sleep(PLAN["seconds"])
    state["measuring"] = False
    entries = {
        name: {
            "path": paths.get(name, ""),
            "count": len(values),
            "failures": failures[name],
            "p50_ms": statistics.median(values),
            "p95_ms": percentile(values, 0.95),
        }
        for name, values in sorted(samples.items())
    }
    result = {
        "entries": entries,
        "errors": dict(errors.most_common(20)),
        "failures_before_window": state["failures_before_window"],
        "task_exceptions": len(environment.runner.exceptions),
        "sign_in_seconds": sign_in_seconds,
        "seconds": PLAN["seconds"],
        "window": [opened, time.time()],
    }
    with open(PLAN["out"], "w") as out:
        json.dump(result, out, indent=2)
    environment.runner.quit()


def user_ready(environment) -> None:
    """The last user to be ready opens the measured window."""
    if next(ready) == PLAN["users"]:
        environment.runner.stats.reset_all()
        state["measuring"] = True
        gevent.spawn(close_window, environment, time.monotonic() - state["started"])


def expect_page(response, path: str) -> None:
    """A page answered 200 itself (not the sign-in page after a redirect)."""
    if response.status_code != 200:
        response.failure(f"status {response.status_code}")
    elif urlsplit(response.url).path != path:
        response.failure(f"redirected to {urlsplit(response.url).path}")
    else:
        response.success()


class Participant(HttpUser):
    """An enterprise owner on the portal: home most often, then classes, requests, exports."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        account = next(portal_accounts)
        form = self.client.get("/masuk/", name="sign-in form")
        token = CSRF_INPUT.search(form.text)
        with self.client.post(
            "/masuk/",
            data={
                "username": account["email"],
                "password": account["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": form.url},
            name="sign-in",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and urlsplit(response.url).path == "/":
                response.success()
            else:
                response.failure(f"sign-in ended on {response.url} ({response.status_code})")
        user_ready(self.environment)

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            expect_page(response, path)

    @task(3)
    def home(self):
        self.page("/", "portal home")

    @task(3)
    def floor(self):
        self.page("/bench/floor/", "floor (one query, signed in)")

    @task(2)
    def classes(self):
        self.page("/kelas/", "portal classes")

    @task(2)
    def requests(self):
        self.page("/sertifikasi/", "portal requests")

    @task(1)
    def exports(self):
        self.page("/ekspor/", "portal exports")


class FunderProgram(HttpUser):
    """A funder's program reading the reports API with its own key."""

    fixed_count = PLAN["api_users"]
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Authorization"] = f"Api-Key {next(api_keys)}"
        user_ready(self.environment)

    def call(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    @task(2)
    def summary(self):
        self.call("/api/v1/reports/summary/", "api summary")

    @task(2)
    def breakdown(self):
        self.call("/api/v1/reports/breakdown/?by=province", "api breakdown by province")

    @task(1)
    def programs(self):
        self.call("/api/v1/programs/", "api programs")

    @task(1)
    def cohorts(self):
        self.call("/api/v1/cohorts/", "api cohorts")
