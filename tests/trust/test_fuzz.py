"""Hostile input: random and malformed values posted into every admin and portal form, and
sent as every query parameter a page reads, never answer a 500.

The values come from one seeded random generator and a fixed list of troublemakers (a NUL
byte, numbers past 64 bits, impossible dates, formula and markup, path tricks, very long
text), so a failure repeats exactly. The test client raises a view's exception, so a crash
fails the test with its traceback.
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.admin.conftest import form_data
from tests.conftest import read_and_close
from tests.trust.test_access_matrix import ROLES, _kwargs, _url, all_routes, site_rule

pytestmark = pytest.mark.django_db

SEED = 20261203
ROUNDS = 4  # mutated submissions per form
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "-1",
    "0",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "1e309",
    "NaN",
    "3.14159",
    "2026-13-45",
    "31/02/2026",
    "0000-00-00T25:61",
    "'; DROP TABLE accounts_enterprise; --",
    '=HYPERLINK("http://example.invalid","x")',
    "<script>alert(1)</script>",
    "../../../etc/passwd",
    "٣٤٥",
    "💥" * 40,
    "%s%s%n",
    "null",
    "[]",
    "{}",
    "Rp 1.500.000",
    "08123456789",
]


def hostile_upload(rng: random.Random) -> SimpleUploadedFile:
    names = ["../../x.pdf", "a\x00.pdf", "évil name.PDF", "x" * 300 + ".pdf", "noext", ".pdf"]
    content = bytes(rng.randrange(256) for _ in range(rng.choice([0, 10, 2000])))
    if rng.random() < 0.3:
        content = b"%PDF-1.4\n" + content
    return SimpleUploadedFile(rng.choice(names), content, content_type="application/pdf")


def mutate(data: dict, rng: random.Random, file_fields=()) -> dict:
    """A copy of the form's data with some fields replaced by hostile values."""
    mutated = dict(data)
    keys = list(mutated) or ["unexpected"]
    for key in rng.sample(keys, k=max(1, len(keys) // 2)):
        value = rng.choice(HOSTILE)
        mutated[key] = [value, rng.choice(HOSTILE)] if rng.random() < 0.1 else value
    for name in file_fields:
        if rng.random() < 0.7:
            mutated[name] = hostile_upload(rng)
    if rng.random() < 0.2:
        mutated["__unexpected__"] = rng.choice(HOSTILE)
    return mutated


def assert_answered(response, what: str) -> None:
    read_and_close(response)  # a file: read and closed, as a browser would
    assert response.status_code < 500, f"{what}: {response.status_code}"


# ---------------------------------------------------------------------------------------
# Admin forms

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _admin_file_fields(response) -> list[str]:
    form = response.context["adminform"].form
    return [form.add_prefix(n) for n, f in form.fields.items() if f.widget.needs_multipart_form]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_forms_survive_hostile_input(client, superuser, staff_lampung, model, lampung_world):
    rng = random.Random(f"{SEED}-{model._meta.label}")
    obj = lampung_world(model)
    opts = model._meta
    pages = [
        (superuser, reverse(f"admin:{opts.app_label}_{opts.model_name}_add")),
        (staff_lampung, reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])),
        (superuser, reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        page = client.get(url)
        assert_answered(page, url)
        if page.status_code != 200 or "adminform" not in (page.context or {}):
            continue
        data, files = form_data(page), _admin_file_fields(page)
        for _ in range(ROUNDS):
            assert_answered(client.post(url, mutate(data, rng, files)), f"POST {url}")
    # the changelist's search, filters, ordering and paging
    client.force_login(staff_lampung)
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    for _ in range(ROUNDS):
        params = {
            "q": rng.choice(HOSTILE),
            "o": rng.choice(["1", "-99", "x", "1.2.3", ""]),
            "p": rng.choice(["0", "-1", "999999", "abc"]),
            rng.choice(["status", "status__exact", "program__id__exact", "nonsense"]): rng.choice(
                HOSTILE
            ),
        }
        assert_answered(client.get(changelist, params), f"GET {changelist} {params}")


# ---------------------------------------------------------------------------------------
# Every other page's forms, found in the HTML each role is shown


class FormFinder(HTMLParser):
    """The forms of a page: method, action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": {},
                    "files": [],
                }
            )
        elif tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            form = self.forms[-1]
            if attrs.get("type") == "file":
                form["files"].append(attrs["name"])
            else:
                form["fields"][attrs["name"]] = attrs.get("value") or ""


def _pages_with_forms(client, request, lampung_world):
    cache: dict = {}
    for route in all_routes():
        if route.admin_model is not None or route.pattern.startswith("admin/"):
            continue
        rule = site_rule(route)
        if rule in (None, "missing") or "(?P" in route.pattern:
            continue
        kwargs = _kwargs(route, lampung_world, cache)
        if kwargs is None:
            continue
        yield _url(route, kwargs)


@pytest.mark.parametrize("role", ["anonymous", "member_a", "staff_x", "analyst_f"])
def test_site_forms_survive_hostile_input(client, request, role, lampung_world):
    rng = random.Random(f"{SEED}-{role}")
    fixture = ROLES[role]
    user = request.getfixturevalue(fixture) if fixture else None
    fuzzed = 0
    for url in list(_pages_with_forms(client, request, lampung_world)):
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get(url)
        assert_answered(page, f"GET {url} as {role}")
        if page.status_code != 200 or page.streaming:
            continue
        finder = FormFinder()
        finder.feed(page.content.decode(errors="replace"))
        for form in finder.forms:
            target = form["action"] or url
            if re.match(r"^https?://", target):
                continue
            fields = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
            for _ in range(ROUNDS):
                data = mutate(fields, rng, form["files"])
                if form["method"] == "post":
                    response = client.post(target, data)
                else:
                    data = {k: v for k, v in data.items() if isinstance(v, str | list)}
                    response = client.get(target, data)
                assert_answered(response, f"{form['method'].upper()} {target} as {role}")
                fuzzed += 1
                if user is not None:
                    # a form that signs the user out (or a lockout) must not end the walk
                    client.force_login(user)
        # query strings on the page itself
        params = {rng.choice(["page", "q", "lang", "next", "x"]): rng.choice(HOSTILE)}
        assert_answered(client.get(url, params), f"GET {url} {params} as {role}")
    assert fuzzed > 0, "no form was found to fuzz: the walk is broken"


API_PARAMETERS = [
    "program",
    "stage",
    "date_from",
    "date_to",
    "province",
    "regency",
    "sector",
    "by",
    "metric",
    "interval",
    "format",
    "labels",
    "cursor",
]


@pytest.mark.parametrize("role", ["analyst_f", "national"])
def test_api_filters_survive_hostile_input(client, request, role, lampung_world):
    rng = random.Random(f"{SEED}-api-{role}")
    client.force_login(request.getfixturevalue(ROLES[role]))
    endpoints = [r.pattern for r in all_routes() if r.pattern.startswith("api/v1/")]
    endpoints = ["/" + e for e in endpoints if "<" not in e]
    assert endpoints
    answered = 0
    for url in endpoints:
        for _ in range(ROUNDS * 2):
            params = {
                name: rng.choice(HOSTILE + ["province", "month", "csv", "xlsx", "en", "1"])
                for name in rng.sample(API_PARAMETERS, k=rng.randint(1, 5))
            }
            response = client.get(url, params)
            assert_answered(response, f"GET {url} {params} as {role}")
            if response.status_code == 400:
                # a refusal names what was wrong, in JSON
                assert response.json(), url
            answered += 1
    assert answered >= len(endpoints) * ROUNDS
