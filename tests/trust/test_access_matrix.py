"""The access matrix: every route of the URLconf, for each role, answers as the matrix says.

The rows probed all belong to one side — enterprise A of the Lampung office, in a programme
funded by LPEI. The other side's roles (a member of enterprise B, the Central Java staff, the
marketplace's analyst) must be refused every one of them and find none of them in any page
they may open; the owning side and the platform roles get what their role allows. A route
the matrix does not know fails `test_every_route_is_in_the_matrix`, so a new page cannot
slip in unreviewed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.admin_base import ScopedAdminMixin
from tests.conftest import read_and_close

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "member_a": "participant_a",  # owner of enterprise A, whose rows are probed
    "member_b": "participant_b",  # owner of enterprise B, same office
    "staff_x": "staff_lampung",  # the office that holds the rows
    "staff_y": "staff_jateng",
    "analyst_f": "analyst_lpei",  # funds the Lampung programme
    "analyst_g": "analyst_pasar",
    "national": "national_viewer",
    "superuser": "superuser",
}
FOREIGN = ("member_b", "staff_y", "analyst_g")
NOT_STAFF = ("anonymous", "member_a", "member_b", "analyst_f", "analyst_g")
# What the probed side holds that no other tenant may read.
MARKERS = ("Kopi Lampung Jaya", "pemilik@kopi.test", "Siti Aminah", "SPPT-SNI-0001")

# Outcomes a response is sorted into.
BAD_REQUEST = "400"
OK, LOGIN, GONE, FORBIDDEN, BOUNCE, REDIRECT, UNAUTHORISED, NOT_ALLOWED = (
    "ok",
    "login",
    "404",
    "403",
    "admin-bounce",
    "redirect",
    "401",
    "405",
)
DENIED = {GONE, FORBIDDEN, BOUNCE}


def outcome(response) -> str:
    code = response.status_code
    if code == 200:
        return OK
    if code in (301, 302):
        location = response["Location"]
        if "/admin/login/" in location or location.startswith(reverse("portal:login")):
            return LOGIN
        if location.split("?")[0] == reverse("admin:index"):
            return BOUNCE
        return REDIRECT
    return {
        400: BAD_REQUEST,
        404: GONE,
        403: FORBIDDEN,
        401: UNAUTHORISED,
        405: NOT_ALLOWED,
    }.get(code, str(code))


# ---------------------------------------------------------------------------------------
# The routes


@dataclass(frozen=True)
class Route:
    pattern: str  # the full route as the URLconf spells it
    name: str  # namespaced URL name ("" when unnamed)
    admin_model: type | None = None  # the model an admin route belongs to


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield prefix + str(entry.pattern), name


def all_routes() -> list[Route]:
    by_prefix = {
        f"admin/{model._meta.app_label}/{model._meta.model_name}/": model
        for model in admin.site._registry
    }
    routes = []
    for pattern, name in _walk(get_resolver()):
        model = next((m for p, m in by_prefix.items() if pattern.startswith(p)), None)
        routes.append(Route(pattern, name, model))
    return routes


# Every route that is not one of a registered model's admin pages, with what each role gets.
# Values: a set of outcomes per role; "*" stands for every role not named.
SITE = {
    # operations and static files
    "healthz": {"*": {OK}},
    "^static/(?P<path>.*)$": None,  # DEBUG only; not in the URLconf the suite runs
    "i18n/setlang/": {"*": {REDIRECT}},
    # the admin's own pages
    "admin/": {**dict.fromkeys(NOT_STAFF, {LOGIN}), "*": {OK}},
    "admin/login/": {"*": {OK, BOUNCE}},
    # signing out is a POST; a GET is refused (405) or sent to the admin's start
    "admin/logout/": {"*": {NOT_ALLOWED, BOUNCE}},
    "admin/password_change/": {**dict.fromkeys(NOT_STAFF, {LOGIN}), "*": {OK}},
    "admin/password_change/done/": {**dict.fromkeys(NOT_STAFF, {LOGIN}), "*": {OK}},
    "admin/autocomplete/": {**dict.fromkeys(NOT_STAFF, {LOGIN}), "*": {GONE, FORBIDDEN}},
    "admin/jsi18n/": {**dict.fromkeys(NOT_STAFF, {LOGIN}), "*": {OK}},
    "admin/r/<path:content_type_id>/<path:object_id>/": {"*": {GONE, REDIRECT, LOGIN}},
    "admin/^(?P<app_label>": {**dict.fromkeys(NOT_STAFF, {LOGIN}), "*": {OK, GONE}},
    "admin/(?P<url>.*)$": {**dict.fromkeys(NOT_STAFF, {LOGIN}), "*": {GONE, REDIRECT}},
    # accounts
    "akun/dua-faktor/": {"anonymous": {LOGIN}, "*": {OK, REDIRECT}},
    "akun/dua-faktor/verifikasi/": {"anonymous": {LOGIN}, "*": {OK, REDIRECT}},
    "akun/data-pribadi/": {"anonymous": {LOGIN}, "*": {OK}},
    # request documents: the enterprise's members, the assisting office, platform admins
    "dokumen/<int:document_id>/": {
        "anonymous": {LOGIN},
        "member_a": {OK},
        "staff_x": {OK},
        "national": {GONE, OK},
        "superuser": {OK},
        "*": {GONE},
    },
    # the portal
    "masuk/": {"*": {OK, REDIRECT}},
    "keluar/": {"*": {NOT_ALLOWED}},
    "": {"anonymous": {LOGIN}, "*": {OK, REDIRECT}},
}
# Portal pages about one of enterprise A's rows: its members only; anyone else is told it
# does not exist (or, with no enterprise at all, sent to their own start page).
PORTAL_OWN = {"anonymous": {LOGIN}, "member_a": {OK, REDIRECT}, "*": {GONE, REDIRECT}}
for _pattern in (
    "kuota/<int:enrollment_id>/",
    "kelas/<int:cohort_id>/",
    "kelas/<int:cohort_id>/kalender.ics",
    "kelas/<int:cohort_id>/sertifikat.pdf",
    "sertifikasi/<int:case_id>/",
    "sertifikasi/<int:case_id>/unggah/",
    "sertifikat/<int:certificate_id>/",
    "ekspor/<int:export_id>/",
    "kepesertaan/<int:enrollment_id>/data-12-bulan/",
):
    SITE[_pattern] = PORTAL_OWN
# The portal's own lists and forms: each shows the signed-in user's enterprise only.
PORTAL_MINE = {"anonymous": {LOGIN}, "*": {OK, REDIRECT, GONE}}
for _pattern in (
    "usaha/pilih/",
    "daftar/",
    "kelas/",
    "sertifikasi/",
    "sertifikasi/baru/",
    "ekspor/",
    "ekspor/lapor/",
    "pengingat/",
    "akun/pengingat/",
    "akun/profil/",
    "akun/kalender/",
):
    SITE[_pattern] = PORTAL_MINE
SITE["usaha/pilih/"] = {"anonymous": {LOGIN}, "*": {NOT_ALLOWED}}  # a POST from the menu
# the sample class is not completed yet, so its certificate does not exist for anyone
SITE["kelas/<int:cohort_id>/sertifikat.pdf"] = {**PORTAL_OWN, "member_a": {OK, GONE}}
# Reached by a secret in the address (a verification code, an invitation, a calendar feed):
# an unknown secret is a 404 for everyone.
for _pattern in ("verifikasi/<str:token>/", "undangan/<str:token>/", "kalender/<str:token>.ics"):
    SITE[_pattern] = {"*": {GONE}}
# Password reset: open to anyone; a signed-in user may be sent on.
for _pattern in (
    "masuk/lupa-sandi/",
    "masuk/lupa-sandi/terkirim/",
    "masuk/sandi-baru/<uidb64>/<token>/",
    "masuk/sandi-baru/selesai/",
):
    SITE[_pattern] = {"*": {OK, REDIRECT}}
# Reports: funders' analysts, the national viewer, office staff and platform admins.
REPORTS = {
    "anonymous": {LOGIN},
    "member_a": {GONE},
    "member_b": {GONE},
    "*": {OK},
}
SITE["laporan/"] = REPORTS
API = {
    "anonymous": {UNAUTHORISED, FORBIDDEN},
    "member_a": {GONE},
    "member_b": {GONE},
    "*": {OK},
}
for _pattern in (
    "api/v1/",
    "api/v1/programs/",
    "api/v1/cohorts/",
    "api/v1/reports/summary/",
    "api/v1/reports/breakdown/",
    "api/v1/reports/timeseries/",
    "api/v1/new-exporters/",
    "api/v1/snapshots/",
    "api/v1/snapshots/<str:pk>/",
):
    SITE[_pattern] = API
# The probed programme is Lampung's, funded by LPEI: the other funder and office get a 404.
# without `by` or `metric` the answer is a 400 naming it, for those allowed to ask
for _pattern in ("api/v1/reports/breakdown/", "api/v1/reports/timeseries/"):
    SITE[_pattern] = {**API, "*": {BAD_REQUEST}}
SITE["api/v1/programs/<str:pk>/"] = {**API, "analyst_g": {GONE}, "staff_y": {GONE}}
SITE["api/schema/"] = {"*": {OK, UNAUTHORISED, FORBIDDEN, GONE, LOGIN}}
SITE["api/docs/"] = {"*": {OK, UNAUTHORISED, FORBIDDEN, GONE, LOGIN}}


def site_rule(route: Route):
    if route.pattern in SITE:
        return SITE[route.pattern]
    if route.pattern.startswith("admin/^(?P<app_label>"):
        return SITE["admin/^(?P<app_label>"]
    return "missing"


def test_every_route_is_in_the_matrix():
    missing = [
        r.pattern for r in all_routes() if r.admin_model is None and site_rule(r) == "missing"
    ]
    assert not missing, f"add these routes to the access matrix: {missing}"


# ---------------------------------------------------------------------------------------
# Filling a route's parameters with rows of the probed side


def _kwargs(route: Route, sample, cache, other=None) -> dict | None:
    """The URL's arguments for the probed rows; None when the route takes none it knows."""

    def row(label):
        if label not in cache:
            model = next(m for m in admin.site._registry if m._meta.label_lower == label)
            cache[label] = sample(model)
        return cache[label]

    names = re.findall(r"<(?:\w+:)?(\w+)>", route.pattern)
    values = {
        "enrollment_id": lambda: row("cohorts.enrollment").pk,
        "cohort_id": lambda: row("cohorts.cohort").pk,
        "case_id": lambda: row("certifications.case").pk,
        "certificate_id": lambda: row("certifications.certificate").pk,
        "export_id": lambda: row("cohorts.exportrecord").pk,
        "document_id": lambda: row("certifications.casedocument").pk,
    }
    if route.pattern == "api/v1/programs/<str:pk>/":
        values["pk"] = lambda: row("cohorts.program").pk
    if route.admin_model is not None:
        label = route.admin_model._meta.label_lower
        values["object_id"] = values["pk"] = values["id"] = lambda: row(label).pk
    kwargs = {}
    for name in names:
        if name in values:
            kwargs[name] = values[name]()
        elif other is not None:
            kwargs[name] = other(name)
        else:
            return None
    return kwargs


def _url(route: Route, kwargs: dict) -> str:
    path = route.pattern
    for name, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    return "/" + path


def _check(
    client, request, url, expected: dict, failures: list, *, post=False, read_only=False
) -> None:
    """GET as every role; POST (an empty write) as anonymous and the other side's roles."""
    for role, fixture in ROLES.items():
        if post and role not in ("anonymous", *FOREIGN):
            continue
        client.logout()
        if fixture:
            client.force_login(request.getfixturevalue(fixture))
        response = client.post(url, {}) if post else client.get(url)
        got = outcome(response)
        body = read_and_close(response)
        allowed = expected.get(role, expected.get("*"))
        if post and role in FOREIGN:
            # refused; a history page or a bare-id redirect reads the same as on a GET
            allowed = (DENIED | {LOGIN}) | (allowed & {REDIRECT, OK} if read_only else set())
        if got not in allowed:
            failures.append(f"{'POST' if post else 'GET'} {url} as {role}: {got}, not {allowed}")
        if role in FOREIGN and got == OK and not post:
            leaked = [m for m in MARKERS if m in body.decode(errors="replace")]
            if leaked:
                failures.append(f"GET {url} as {role} shows {leaked}")


def test_site_routes(client, request, lampung_world):
    failures: list[str] = []
    cache: dict = {}
    for route in all_routes():
        if route.admin_model is not None:
            continue
        rule = site_rule(route)
        if rule is None or rule == "missing":
            continue
        kwargs = _kwargs(route, lampung_world, cache)
        if kwargs is None:
            # an admin catch-all or a route with arguments no probed row fills
            if "<" in route.pattern or "(?P" in route.pattern:
                continue
            kwargs = {}
        _check(client, request, _url(route, kwargs), rule, failures)
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------
# Admin pages of every registered model


# Reference data every staff member reads (no tenant owns it).
REFERENCE = {
    "accounts.Province",
    "accounts.Regency",
    "accounts.Sector",
    "accounts.Funder",
    "certifications.Scheme",
}


def _admin_expectations(model, view: str) -> dict:
    scoped = isinstance(admin.site._registry[model], ScopedAdminMixin)
    base = dict.fromkeys(NOT_STAFF, {LOGIN})
    if view == "bare":
        # /<id>/ only redirects to /<id>/change/, which is checked on its own
        return {**base, "*": {REDIRECT}}
    if model._meta.label in REFERENCE:
        return {**base, "*": {OK, FORBIDDEN}}
    if not scoped:
        # platform data: reference lists, accounts, sign-in security, API keys
        return {**base, "superuser": {OK, FORBIDDEN}, "*": {FORBIDDEN}}
    if view in ("changelist", "add"):
        return {**base, "*": {OK, FORBIDDEN}}
    return {
        **base,
        "staff_y": DENIED,
        "national": {OK, FORBIDDEN},
        "*": {OK, FORBIDDEN, REDIRECT},
    }


REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_routes(client, request, model, lampung_world):
    failures: list[str] = []
    cache: dict = {}
    obj = lampung_world(model)
    prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
    for route in all_routes():
        if route.admin_model is not model:
            continue
        rest = route.pattern[len(prefix) :]
        if rest.startswith("^"):  # simple_history's page of one past version
            history = getattr(obj, "history", None)
            if history is None or not history.exists():
                continue
            url = reverse(route.name, args=[obj.pk, history.first().history_id])
            view = "history"
        else:
            cache[model._meta.label_lower] = obj
            kwargs = _kwargs(route, lampung_world, cache, lambda name: _slug_for(model, name))
            url = _url(route, kwargs)
            parts = [p for p in rest.split("/") if p]
            if not parts or "<" not in rest:
                view = "changelist"  # lists and the custom pages that open no row
            elif len(parts) == 1 and "<" in parts[0]:
                view = "bare"
            else:
                view = parts[0] if "<" not in parts[0] else parts[-1]
        expected = _admin_expectations(model, view)
        _check(client, request, url, expected, failures)
        if "<" in rest or rest.startswith("^"):
            # a write to another tenant's row is refused and changes nothing
            read_only = view in ("bare", "history")
            _check(client, request, url, expected, failures, post=True, read_only=read_only)
            assert model._default_manager.filter(pk=obj.pk).exists(), f"{url} deleted the row"
    assert not failures, "\n".join(failures)


def _slug_for(model, name: str) -> str:
    """A real move or act for the custom admin pages that take one."""
    if name == "move":
        return "prepare"
    if name == "act":
        return "suspend"
    raise AssertionError(f"the matrix cannot fill <{name}> in {model._meta.label}'s admin")


@pytest.mark.parametrize(
    ("model_label", "marker"),
    [
        ("accounts.enterprise", "Kopi Lampung Jaya"),
        ("certifications.certificate", "SPPT-SNI-0001"),
        ("accounts.user", "pemilik@kopi.test"),
    ],
)
def test_the_markers_are_shown_to_the_side_that_holds_them(
    client, superuser, lampung_world, model_label, marker
):
    """The leak check above means something: the holding side does see these strings."""
    model = next(m for m in admin.site._registry if m._meta.label_lower == model_label)
    lampung_world(model)
    client.force_login(superuser)
    app, name = model_label.split(".")
    assert marker in client.get(reverse(f"admin:{app}_{name}_changelist")).content.decode()


# ---------------------------------------------------------------------------------------
# Admin actions: the other side's roles select a row of ours and run every action on it


def _snapshot(obj) -> dict:
    fresh = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    assert fresh is not None, f"{obj._meta.label} {obj.pk} is gone"
    return fresh


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_actions_change_nothing_of_another_tenant(client, request, model, lampung_world):
    from django.contrib.admin import helpers
    from django.test import RequestFactory

    obj = lampung_world(model)
    model_admin = admin.site._registry[model]
    probe = RequestFactory().get("/")
    probe.user = request.getfixturevalue("superuser")
    actions = list(model_admin.get_actions(probe))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    before = _snapshot(obj)
    failures = []
    for action in actions:
        for role in ("anonymous", *FOREIGN):
            client.logout()
            if ROLES[role]:
                client.force_login(request.getfixturevalue(ROLES[role]))
            response = client.post(
                url,
                {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(obj.pk)], "post": "yes"},
            )
            got = outcome(response)
            if got not in (DENIED | {LOGIN, REDIRECT, OK}):
                failures.append(f"action {action} as {role}: {got}")
            if got == OK:
                body = response.content.decode(errors="replace")
                leaked = [m for m in MARKERS if m in body]
                if leaked:
                    failures.append(f"action {action} as {role} shows {leaked}")
    assert _snapshot(obj) == before, "an action changed another tenant's row"
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------
# The same walk's query counts: a page costs as many queries with more rows as with few


def _grow(office, program, enterprise_count=4):
    """More rows of the kinds the lists show, in the same office and programme."""
    from cohorts.models import Enrollment
    from tests import factories as f

    stage = f.StageFactory(program=program, number=9)
    cohort = f.CohortFactory(stage=stage, name="Kelas tambahan")
    f.SessionFactory.create_batch(2, cohort=cohort)
    for _ in range(enterprise_count):
        enterprise = f.EnterpriseFactory(registered_by=office)
        f.ProductFactory(enterprise=enterprise)
        f.EnrollmentFactory(enterprise=enterprise, cohort=cohort, status=Enrollment.Status.ENROLLED)
        f.CaseFactory(enterprise=enterprise, office=office, program=program)
        f.ExportRecordFactory(enterprise=enterprise, program=program)


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        read_and_close(client.get(url))
    return len(queries)


def test_query_counts_do_not_grow_with_the_data(
    client, request, lampung_world, office_lampung, program_lampung
):
    for model in REGISTERED:
        lampung_world(model)
    urls = [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in REGISTERED
    ]
    cache: dict = {}
    for route in all_routes():
        if route.admin_model is None and site_rule(route) not in (None, "missing"):
            kwargs = _kwargs(route, lampung_world, cache)
            if kwargs is not None and "(?P" not in route.pattern:
                urls.append(_url(route, kwargs))
    roles = ("staff_x", "member_a", "superuser")
    users = {role: request.getfixturevalue(ROLES[role]) for role in roles}

    def counts():
        found = {}
        for role, user in users.items():
            client.force_login(user)
            for url in urls:
                found[(role, url)] = _count(client, url)
        return found

    counts()  # warm per-process caches (content types, sites)
    small = counts()
    _grow(office_lampung, program_lampung)
    large = counts()
    grown = [
        f"{role} {url}: {small[(role, url)]} → {n}"
        for (role, url), n in large.items()
        if n > small[(role, url)]
    ]
    assert not grown, "\n".join(grown)
