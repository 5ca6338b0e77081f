"""Admin pieces of the trade office's tools: list exports and the enterprise import."""

from __future__ import annotations

import re
import secrets
from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import TradeOffice
from office import background, imports, spreadsheets

EXPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
PREVIEW_ROWS = 300


def _export_value(model_admin, name, obj) -> object:
    try:
        field, _attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, models.ObjectDoesNotExist):
        return ""
    if field is not None:
        if isinstance(field, models.BooleanField):
            return gettext("yes") if value else gettext("no")
        if getattr(field, "flatchoices", None):
            return dict(field.flatchoices).get(value, value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, int | float) or hasattr(value, "isoformat"):
        return value
    return strip_tags(str(value))


class SpreadsheetExportMixin:
    """Every changelist can be downloaded as .xlsx or .csv, with the filters, search and
    order it shows and no row the user could not see on it (the list's own queryset)."""

    spreadsheet_export = True
    export_fields: list[str] | None = None  # default: the list's columns

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_export"
        view = self.admin_site.admin_view
        return [
            path(f"export.{fmt}", view(self.export_view), {"fmt": fmt}, name=f"{prefix}_{fmt}")
            for fmt in EXPORT_FORMATS
        ] + super().get_urls()

    def get_export_fields(self, request) -> list[str]:
        names = self.export_fields or [
            name for name in self.get_list_display(request) if name != "action_checkbox"
        ]
        return list(names)

    def export_view(self, request, fmt):
        if fmt not in EXPORT_FORMATS:
            raise Http404
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        names = self.get_export_fields(request)
        header = [
            strip_tags(str(label_for_field(name, self.model, self, return_attr=False)))
            for name in names
        ]
        rows = (
            [_export_value(self, name, obj) for name in names]
            for obj in queryset.iterator(chunk_size=2000)
        )
        title = str(self.opts.verbose_name_plural)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{slugify(title) or self.opts.model_name}-{stamp}.{fmt}"
        if fmt == "xlsx":
            sheet_title = re.sub(r"[\[\]:*?/\\]", "", title)
            content = spreadsheets.xlsx_bytes(header, rows, title=sheet_title)
        else:
            content = spreadsheets.csv_bytes(header, rows)
        response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- import ----------------------------------------------------------------------------------


def import_offices(user):
    """The offices for which the user may import enterprises."""
    if roles.is_platform_admin(user):
        return TradeOffice.objects.all()
    return TradeOffice.objects.filter(pk__in=roles.office_ids(user))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("An Excel (.xlsx) or CSV (.csv) file laid out as the template."),
    )
    office = forms.ModelChoiceField(label=_("trade office"), queryset=TradeOffice.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = import_offices(user)
        self.fields["office"].queryset = offices
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk
            self.fields["office"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_FILE_BYTES:
            raise ValidationError(
                gettext("The file is larger than %(size)s MB.")
                % {"size": imports.MAX_FILE_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(gettext("Choose an Excel (.xlsx) or CSV (.csv) file."))
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{32}\.(xlsx|csv)$", widget=forms.HiddenInput())
    filename = forms.CharField(max_length=200, widget=forms.HiddenInput())
    office = forms.ModelChoiceField(queryset=TradeOffice.objects.none(), widget=forms.HiddenInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = import_offices(user)


def _pending_name(user, token: str) -> str:
    return background.pending_name(user.pk, token)


class EnterpriseImportMixin:
    """Import enterprises from a spreadsheet: upload, preview, confirm (all or nothing)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="accounts_enterprise_import"),
            path(
                "import/confirm/",
                view(self.import_confirm_view),
                name="accounts_enterprise_import_confirm",
            ),
            path(
                "import/status/",
                view(self.import_status_view),
                name="accounts_enterprise_import_status",
            ),
            path(
                "import/template.xlsx",
                view(self.import_template_view),
                name="accounts_enterprise_import_template",
            ),
        ] + super().get_urls()

    def may_import(self, request) -> bool:
        return self.has_add_permission(request) and import_offices(request.user).exists()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["may_import"] = self.may_import(request)
        return super().changelist_view(request, extra_context)

    def _import_context(self, request, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import enterprises"),
            "template_url": reverse("admin:accounts_enterprise_import_template"),
            "limits": {
                "size": imports.MAX_FILE_BYTES // (1024 * 1024),
                "rows": imports.MAX_ROWS,
            },
            **kwargs,
        }

    def import_template_view(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        offices = list(import_offices(request.user)[:2])
        province = offices[0].province if len(offices) == 1 else None
        response = HttpResponse(
            spreadsheets.import_template(province=province), content_type=EXPORT_FORMATS["xlsx"]
        )
        response["Content-Disposition"] = 'attachment; filename="naikkelas-ikm-template.xlsx"'
        return response

    def import_view(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            office = form.cleaned_data["office"]
            data = upload.read()
            try:
                records = imports.read_rows(data=data, filename=upload.name)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                extension = upload.name.lower().rsplit(".", 1)[-1]
                token = f"{secrets.token_hex(16)}.{extension}"
                storages["private"].save(_pending_name(request.user, token), ContentFile(data))
                if len(records) > background.BACKGROUND_ROWS:
                    background.import_preview_enqueue(
                        user=request.user, office=office, token=token, filename=upload.name[:200]
                    )
                    status_url = reverse("admin:accounts_enterprise_import_status")
                    return HttpResponseRedirect(f"{status_url}?{urlencode({'token': token})}")
                plan = imports.import_plan(records=records, office=office)
                confirm = ImportConfirmForm(
                    initial={"token": token, "filename": upload.name[:200], "office": office.pk},
                    user=request.user,
                )
                return self._preview(request, plan, confirm, upload.name, office)
        return TemplateResponse(
            request, "admin/office/import_form.html", self._import_context(request, form=form)
        )

    def _preview(self, request, plan, confirm, filename, office, error=None):
        shown = sorted(plan.rows, key=lambda row: (row.status != "error", row.line))
        rows = [
            {"plan": row, "changes": imports.change_labels(row)} for row in shown[:PREVIEW_ROWS]
        ]
        context = self._import_context(
            request,
            title=gettext("Check the import of %(file)s") % {"file": filename},
            plan=plan,
            rows=rows,
            hidden_rows=max(len(shown) - PREVIEW_ROWS, 0),
            confirm=confirm,
            office=office,
            error=error,
        )
        return TemplateResponse(request, "admin/office/import_preview.html", context)

    def import_confirm_view(self, request):
        if not self.may_import(request) or request.method != "POST":
            raise PermissionDenied
        confirm = ImportConfirmForm(request.POST, user=request.user)
        if not confirm.is_valid():
            messages.error(request, gettext("The import has expired: upload the file again."))
            return HttpResponseRedirect(reverse("admin:accounts_enterprise_import"))
        storage = storages["private"]
        name = _pending_name(request.user, confirm.cleaned_data["token"])
        if not storage.exists(name):
            messages.error(request, gettext("The import has expired: upload the file again."))
            return HttpResponseRedirect(reverse("admin:accounts_enterprise_import"))
        with storage.open(name, "rb") as handle:
            data = handle.read()
        filename = confirm.cleaned_data["filename"]
        office = confirm.cleaned_data["office"]
        records = imports.read_rows(data=data, filename=confirm.cleaned_data["token"])
        if len(records) > background.BACKGROUND_ROWS:
            token = confirm.cleaned_data["token"]
            background.import_confirm_enqueue(
                user=request.user, office=office, token=token, filename=filename
            )
            status_url = reverse("admin:accounts_enterprise_import_status")
            return HttpResponseRedirect(f"{status_url}?{urlencode({'token': token})}")
        try:
            result = imports.import_apply(
                records=records, office=office, actor=request.user, filename=filename
            )
        except ValidationError as error:
            plan = imports.import_plan(records=records, office=office)
            return self._preview(
                request, plan, confirm, filename, office, error=" ".join(error.messages)
            )
        storage.delete(name)
        messages.success(
            request,
            gettext(
                "Imported: %(created)s new enterprises, %(updated)s changed, "
                "%(unchanged)s unchanged."
            )
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return HttpResponseRedirect(reverse("admin:accounts_enterprise_changelist"))

    def import_status_view(self, request):
        """Where a background import stands; the page reloads itself while it runs."""
        if not self.may_import(request):
            raise PermissionDenied
        token = request.GET.get("token", "")
        state = None
        if re.fullmatch(r"[0-9a-f]{32}\.(xlsx|csv)", token):
            state = background.status_read(request.user.pk, token)
        if state and state.get("state") == "planned":
            return self._stored_preview(request, token, state)
        context = self._import_context(
            request,
            title=gettext("Import in progress"),
            state=state,
            running=bool(state and state.get("state") in ("planning", "queued", "running")),
        )
        return TemplateResponse(request, "admin/office/import_status.html", context)

    def _stored_preview(self, request, token, state):
        """The preview a worker planned, shown with the same page and confirm as a small one."""
        office = import_offices(request.user).filter(pk=state["office"]).first()
        if office is None:
            raise PermissionDenied
        counts = state["counts"]
        plan = SimpleNamespace(counts=counts, has_errors=state["has_errors"])
        rows = [
            {
                "plan": SimpleNamespace(**{k: v for k, v in row.items() if k != "changes"}),
                "changes": row["changes"],
            }
            for row in state["rows"]
        ]
        confirm = ImportConfirmForm(
            initial={"token": token, "filename": state["filename"], "office": office.pk},
            user=request.user,
        )
        context = self._import_context(
            request,
            title=gettext("Check the import of %(file)s") % {"file": state["filename"]},
            plan=plan,
            rows=rows,
            hidden_rows=state["hidden_rows"],
            confirm=confirm,
            office=office,
            error=None,
        )
        return TemplateResponse(request, "admin/office/import_preview.html", context)


# --- duplicates and merging ------------------------------------------------------------------


class MergeForm(forms.Form):
    keep = forms.IntegerField(label=_("enterprise to keep (ID)"), min_value=1, max_value=2**63 - 1)
    other = forms.IntegerField(
        label=_("enterprise merged into it (ID)"), min_value=1, max_value=2**63 - 1
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprises = enterprises

    def _lookup(self, name):
        pk = self.cleaned_data[name]
        enterprise = self.enterprises.filter(pk=pk).select_related("registered_by").first()
        if enterprise is None:
            raise ValidationError(gettext("No enterprise of your office has this ID."))
        return enterprise

    def clean_keep(self):
        return self._lookup("keep")

    def clean_other(self):
        return self._lookup("other")

    def clean(self):
        data = super().clean()
        keep, other = data.get("keep"), data.get("other")
        if keep is not None and other is not None and keep.pk == other.pk:
            raise ValidationError(gettext("Choose two different enterprises."))
        return data


class EnterpriseDuplicatesMixin:
    """A page of likely duplicates, and a confirmed merge of two enterprises into one."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("duplicates/", view(self.duplicates_view), name="accounts_enterprise_duplicates"),
            path("merge/", view(self.merge_view), name="accounts_enterprise_merge"),
        ] + super().get_urls()

    def may_merge(self, request) -> bool:
        return self.has_add_permission(request) and import_offices(request.user).exists()

    def _mergeable(self, request):
        from accounts.selectors import enterprises_editable_by

        return enterprises_editable_by(request.user)

    def duplicates_view(self, request):
        from office.duplicates import likely_duplicates

        if not self.may_merge(request):
            raise PermissionDenied
        pairs = likely_duplicates(enterprises=self._mergeable(request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Likely duplicate enterprises"),
            "pairs": pairs,
            "merge_url": reverse("admin:accounts_enterprise_merge"),
        }
        return TemplateResponse(request, "admin/office/duplicates.html", context)

    def merge_view(self, request):
        from office.duplicates import enterprise_merge, merge_plan

        if not self.may_merge(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else (request.GET or None)
        form = MergeForm(data, enterprises=self._mergeable(request))
        plan = None
        if form.is_valid():
            keep, other = form.cleaned_data["keep"], form.cleaned_data["other"]
            plan = merge_plan(keep=keep, other=other)
            if request.method == "POST" and not plan.conflicts:
                try:
                    enterprise_merge(keep=keep, other=other, actor=request.user)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        gettext("%(other)s is merged into %(keep)s.")
                        % {"other": other.name, "keep": keep.name},
                    )
                    return HttpResponseRedirect(
                        reverse("admin:accounts_enterprise_change", args=[keep.pk])
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Merge two enterprises"),
            "form": form,
            "plan": plan,
        }
        return TemplateResponse(request, "admin/office/merge.html", context)
