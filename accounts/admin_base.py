"""The admin base every app's ModelAdmin builds on: permissions come from roles, not groups.

- platform admins (superusers) change everything;
- national viewers read everything and change nothing;
- office staff read what ``visible_queryset`` lets through and change what
  ``editable_queryset`` lets through, on models whose ``edited_by`` is "office";
- models with ``edited_by = "superuser"`` (schemes, funders, offices, staff accounts) are
  read-only to everybody else; ``edited_by = "nobody"`` marks rows only services write.

Every way of picking a related row is narrowed the same way:
- foreign-key and many-to-many dropdowns by ``scoped_choices`` (field name -> callable taking
  the request and returning a queryset; the callables decide themselves what platform admins
  get, usually everything);
- autocomplete by the related model's own admin (its ``get_queryset``) and, when the field
  that asks has an entry in ``scoped_choices`` (on the admin or inline of its model), by that;
- list filters by ``ScopedRelatedFieldListFilter``, which offers only rows the user may see
  and that occur in the rows listed.
An object outside the user's scope is never shown: the change, delete and history views
redirect to the admin index, as for a row that does not exist.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import get_model_from_relation, unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from simple_history.admin import SimpleHistoryAdmin

from accounts import roles
from office.admin import SpreadsheetExportMixin

WHOLE_NIB = re.compile(r"[0-9]{13}")

Chooser = Callable[..., QuerySet]


def _may_write(admin_obj, request) -> bool:
    user = request.user
    if admin_obj.edited_by == "nobody":
        return False
    if roles.is_platform_admin(user):
        return True
    if admin_obj.edited_by == "superuser" or not roles.may_use_admin(user):
        return False
    return roles.is_office_staff(user)


def chooser_for(admin_site, model: type[Model], field_name: str) -> Chooser | None:
    """The ``scoped_choices`` entry for ``model.field_name``, from its admin or an inline."""
    model_admin = admin_site._registry.get(model)
    chooser = getattr(model_admin, "scoped_choices", {}).get(field_name)
    if chooser is not None:
        return chooser
    for registered in admin_site._registry.values():
        for inline in getattr(registered, "inlines", ()):
            if inline.model is model and field_name in getattr(inline, "scoped_choices", {}):
                return inline.scoped_choices[field_name]
    return None


class _KnownValuesOnly:
    """Django's autocomplete widgets look up the submitted ids when a refused form is shown
    again; an id that is not a number (or past 64 bits) would crash that lookup, so only
    values the target field accepts are looked up (the form's own error names the rest)."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        kept = []
        for item in value:
            try:
                prepared = target.get_prep_value(target.to_python(item))
            except (ValueError, TypeError, ValidationError):
                continue
            if isinstance(prepared, int) and not -(2**63) <= prepared < 2**63:
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


def _in_range(value, field) -> bool:
    """Whether a submitted key is one the database can be asked about."""
    try:
        prepared = field.get_prep_value(field.to_python(value))
    except (ValueError, TypeError, ValidationError):
        return False
    return not isinstance(prepared, int) or -(2**63) <= prepared < 2**63


class SafeModelChoiceField(forms.ModelChoiceField):
    """A choice whose submitted id is past 64 bits is refused like any unknown id (SQLite
    would otherwise raise OverflowError on the lookup)."""

    def to_python(self, value):
        key = self.to_field_name or "pk"
        field = self.queryset.model._meta.get_field(key) if key != "pk" else None
        field = field or self.queryset.model._meta.pk
        if value not in self.empty_values and not _in_range(value, field):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        key = self.to_field_name or "pk"
        field = self.queryset.model._meta.get_field(key) if key != "pk" else None
        field = field or self.queryset.model._meta.pk
        for item in value:
            if not _in_range(item, field):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class SafeAutocompleteSelect(_KnownValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KnownValuesOnly, AutocompleteSelectMultiple):
    pass


def _is_autocomplete(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete")


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a list over a province's (or the country's) hundred
    thousands of rows never scans them all to print its total. Past the cap the page says
    "more than 10,000" and offers the first pages; search and filters narrow the rest.

    On a large table (``is_large``), a list the planner expects to hold more than
    ESTIMATE_FROM rows is not counted at all: the page says "about N", N being PostgreSQL's
    estimate, and offers at most COUNT_CAP rows' pages. A search on a word thousands of names
    share then costs its first page, not a pass over every row that matches."""

    COUNT_CAP = 10_000
    ESTIMATE_FROM = 1_000
    capped = False
    estimate: int | None = None

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not hasattr(rows, "query"):
            return len(rows)
        rows = rows.order_by()
        if is_large(rows.model):
            planned = planned_rows(rows)
            if planned > self.ESTIMATE_FROM:
                self.estimate = planned
                return min(planned, self.COUNT_CAP)
        counted = rows[: self.COUNT_CAP + 1].count()
        self.capped = counted > self.COUNT_CAP
        return min(counted, self.COUNT_CAP)

    def page(self, number):
        """A page that is not full ends the list: its rows make the estimate exact."""
        page = super().page(number)
        shown = len(page.object_list)
        if self.estimate is not None and shown < self.per_page and (shown or page.number == 1):
            self.estimate = None
            self.__dict__["count"] = (page.number - 1) * self.per_page + shown
            self.__dict__.pop("num_pages", None)
        return page


def planned_rows(rows: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects the query to return (EXPLAIN, not run)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return round(plan[0]["Plan"]["Plan Rows"])


class ScopedAdminMixin:
    # no COUNT(*) over a whole table: a capped count and no unfiltered total or facet counts
    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    edited_by = "office"  # or "superuser", or "nobody" (rows written by services only)
    deletable_by_staff = False
    # field name -> callable(request) returning the queryset offered in its dropdown
    scoped_choices: dict[str, Chooser] = {}

    def visible_queryset(self, request, queryset: QuerySet) -> QuerySet:
        """What office staff may see; the default hides everything."""
        return queryset.none()

    def editable_queryset(self, request, queryset: QuerySet) -> QuerySet:
        return self.visible_queryset(request, queryset)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.reads_everything(request.user):
            return queryset
        return self.visible_queryset(request, queryset)

    def scoped_queryset(self, request) -> QuerySet:
        """The rows the user may see, without the list page's joins and annotations."""
        queryset = self.model._default_manager.all()
        if roles.reads_everything(request.user):
            return queryset
        return self.visible_queryset(request, queryset)

    def has_module_permission(self, request):
        return roles.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.may_use_admin(request.user)

    def _may_write(self, request) -> bool:
        return _may_write(self, request)

    def has_add_permission(self, request, *args):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        if not self._may_write(request):
            return False
        if obj is None or roles.is_platform_admin(request.user):
            return True
        # The admin asks once per inline form: answer from the request's memo after the first.
        memo = request.__dict__.setdefault("_nk_may_change", {})
        key = (type(self).__name__, obj._meta.label, obj.pk)
        if key not in memo:
            model = type(obj)
            editable = self.editable_queryset(request, model._default_manager.filter(pk=obj.pk))
            memo[key] = editable.exists()
        return memo[key]

    def has_delete_permission(self, request, obj=None):
        if self.edited_by == "nobody":
            return False
        if roles.is_platform_admin(request.user):
            return True
        return self.deletable_by_staff and self.has_change_permission(request, obj)

    def _chosen(self, db_field, request, kwargs):
        chooser = self.scoped_choices.get(db_field.name)
        if chooser is not None:
            kwargs["queryset"] = chooser(request)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._chosen(db_field, request, kwargs)
        kwargs.setdefault("form_class", SafeModelChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            db = kwargs.get("using")
            kwargs.setdefault("widget", SafeAutocompleteSelect(db_field, self.admin_site, using=db))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._chosen(db_field, request, kwargs)
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """Autocomplete asks the related admin; narrow it to what the asking field offers.

        A whole NIB (13 digits) in a list that searches NIBs finds its enterprise through the
        NIB's unique index instead of a pattern search over every name and NIB."""
        if _is_autocomplete(request):
            chooser = self._autocomplete_chooser(request)
            if chooser is not None:
                queryset = queryset.filter(pk__in=chooser(request).values("pk"))
        term = search_term.strip()
        nib_fields = [f for f in self.get_search_fields(request) if f.split("__")[-1] == "nib"]
        if nib_fields and WHOLE_NIB.fullmatch(term):
            exact = Q()
            for field in nib_fields:
                exact |= Q(**{field: term})
            return queryset.filter(exact), False
        return super().get_search_results(request, queryset, search_term)

    def _autocomplete_chooser(self, request) -> Chooser | None:
        from django.apps import apps

        try:
            model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        except (KeyError, LookupError):
            return None
        return chooser_for(self.admin_site, model, request.GET.get("field_name", ""))


class ScopedAdmin(SpreadsheetExportMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """A scoped ModelAdmin with the history view (Django's own for models without history)
    and its list downloadable as .xlsx and .csv."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not self._has_history():
            self.object_history_template = None

    def _has_history(self) -> bool:
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def history_view(self, request, object_id, extra_context=None):
        if not self._has_history():
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        # The library falls back to the last historical row of an object it cannot find,
        # which would show another office's records: look the object up in scope first.
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._has_history():
            raise Http404
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method != "GET":
            # Reverting would save an old version past every service and its checks, even for
            # a platform admin: the page shows a version, it never writes one.
            raise PermissionDenied
        request._nk_history_form = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "_nk_history_form", False):
            # A fresh form class each call: disabling its fields shows the version read-only.
            for field in form.base_fields.values():
                field.disabled = True
        return form


class ScopedInline(ScopedAdminMixin, admin.TabularInline):
    """A scoped inline: it may be changed by whoever may change its parent."""

    extra = 0

    def get_queryset(self, request):
        return super(ScopedAdminMixin, self).get_queryset(request)

    def _parent_allows(self, request, obj) -> bool:
        if not self._may_write(request):
            return False
        if obj is None:
            return True
        try:
            parent = self.admin_site.get_model_admin(self.parent_model)
        except NotRegistered:
            return True
        return parent.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_allows(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._parent_allows(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.edited_by == "nobody":
            return False
        return self._parent_allows(request, obj)


class ReadOnlyInline(ScopedInline):
    """An inline that shows rows written by services (events, timelines)."""

    edited_by = "nobody"
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id"]


class ReferenceAdmin(ScopedAdmin):
    """Reference data: everyone in the admin reads it, superusers change it."""

    edited_by = "superuser"

    def visible_queryset(self, request, queryset):
        return queryset


def within(queryset: QuerySet, visible: QuerySet) -> QuerySet:
    """The rows of ``queryset`` that are in ``visible`` (the same model), with visible's
    conditions added to the list's own WHERE: the database then checks them row by row along
    the list's ordering index instead of first collecting every visible row's id
    (``pk__in=visible``), which costs a pass over every visible row at national scale."""
    return queryset & visible


LARGE_TABLE_ROWS = 10_000


_table_rows: dict[tuple[str, str], tuple[float, float]] = {}  # (database, table) -> (rows, at)


def is_large(model: type[Model]) -> bool:
    """Whether the model's table holds more than LARGE_TABLE_ROWS rows, by PostgreSQL's own
    estimate (pg_class.reltuples, kept by ANALYZE and autovacuum), read at most every five
    minutes by each process. Other databases are never large here."""
    if connection.vendor != "postgresql":
        return False
    key = (connection.settings_dict["NAME"], model._meta.db_table)
    rows, at = _table_rows.get(key, (0.0, -math.inf))
    if time.monotonic() - at > 300:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [key[1]])
            row = cursor.fetchone()
        rows = row[0] if row else 0.0
        _table_rows[key] = (rows, time.monotonic())
    return rows > LARGE_TABLE_ROWS


def scope_key(user) -> str:
    """What decides which rows the user's lists show, as a cache key part."""
    if roles.reads_everything(user):
        return "all"
    parts = (roles.office_ids(user), roles.funder_ids(user), roles.enterprise_ids(user))
    return "-".join(",".join(map(str, sorted(ids))) for ids in parts)


def _scoped(model_admin, request) -> QuerySet:
    if hasattr(model_admin, "scoped_queryset"):
        return model_admin.scoped_queryset(request)
    return model_admin.get_queryset(request)


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-field filter that names only rows the user may see and that are listed.

    The choices are the related admin's scoped queryset (or, for a model without an admin,
    the ``scoped_choices`` entry of the field), cut down to the values that occur among the
    rows the list may show, so no other office's programme, office or funder is named in the
    sidebar.
    """

    def field_choices(self, field, request, model_admin):
        if not is_large(model_admin.model):
            return self.occurring_choices(field, request, model_admin)
        # On a list of a large table, finding which values occur reads every listed row; the
        # answer for the same scope is kept for a few minutes (LARGE_LIST_CHOICES_SECONDS).
        label, scope = model_admin.model._meta.label, scope_key(request.user)
        database = connection.settings_dict["NAME"]
        key = f"admin-choices:{database}:{label}:{self.field_path}:{get_language()}:{scope}"
        choices = cache.get(key)
        if choices is None:
            choices = self.occurring_choices(field, request, model_admin)
            cache.set(key, choices, settings.LARGE_LIST_CHOICES_SECONDS)
        return choices

    def occurring_choices(self, field, request, model_admin):
        related_model = get_model_from_relation(field)
        try:
            related_admin = model_admin.admin_site.get_model_admin(related_model)
        except NotRegistered:
            chooser = model_admin.scoped_choices.get(self.field_path)
            queryset = chooser(request) if chooser else related_model._default_manager.all()
        else:
            queryset = _scoped(related_admin, request)
            if isinstance(related_admin.list_select_related, list | tuple):
                queryset = queryset.select_related(*related_admin.list_select_related)
        # Each choice probes the listed rows for one occurrence (EXISTS on the foreign key's
        # index) instead of collecting the values of every listed row.
        listed = _scoped(model_admin, request).filter(**{self.field_path: OuterRef("pk")})
        queryset = queryset.filter(Exists(listed.order_by()))
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        to_field = field.target_field.attname if hasattr(field, "target_field") else "pk"
        return [(getattr(obj, to_field), str(obj)) for obj in queryset]
