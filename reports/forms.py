"""The filters of the reports page: the same as the API's, as a form."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Province, Sector
from reports import selectors

BY_LABELS = {
    "province": _("Province"),
    "regency": _("Regency or city"),
    "sector": _("Sector"),
    "level": _("Class level"),
    "size": _("Size class"),
    "owner_gender": _("Owner's gender"),
    "funder": _("Funder"),
    "export_channel": _("Export channel"),
    "destination": _("Destination country"),
}
CHART_METRICS = {
    "enterprises_enrolled": _("Enterprises enrolled"),
    "applicants": _("Applicants"),
    "new_exporters": _("New exporters"),
    "export_value_idr": _("Export value (Rp)"),
}


class ReportFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Programme"), queryset=None, required=False, empty_label=_("All programmes")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.all(),
        to_field_name="code_kemendagri",
        required=False,
        empty_label=_("All provinces"),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All sectors"),
    )
    by = forms.ChoiceField(label=_("Breakdown by"), choices=list(BY_LABELS.items()), required=False)
    metric = forms.ChoiceField(
        label=_("Chart shows"), choices=list(CHART_METRICS.items()), required=False
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs.order_by("-start_date", "name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        for name in ("date_from", "date_to"):
            value = cleaned.get(name)
            if value and not dt.date(1900, 1, 1) <= value <= dt.date(2999, 12, 31):
                self.add_error(name, _("The date must lie between 1900 and 2999."))
        if start and end and start > end:
            self.add_error("date_from", _("The start date cannot be after the end date."))
        return cleaned

    def report_filters(self) -> selectors.ReportFilters:
        data = self.cleaned_data
        return selectors.ReportFilters(
            program=data.get("program"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            province=data["province"].code_kemendagri if data.get("province") else None,
            sector=data["sector"].code if data.get("sector") else None,
        )

    def api_query(self) -> str:
        """The same filters as API query parameters, for the download links."""
        from urllib.parse import urlencode

        data = self.cleaned_data
        params = {
            "program": data["program"].pk if data.get("program") else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "province": data["province"].code_kemendagri if data.get("province") else None,
            "sector": data["sector"].code if data.get("sector") else None,
        }
        return urlencode({k: v for k, v in params.items() if v})
