from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Enterprise, Product, User
from cohorts.models import EnterpriseSnapshot, ExportRecord


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("The e-mail address or password is wrong. Please try again."),
        "inactive": _("This account has been deactivated."),
    }


class UploadForm(forms.Form):
    """A document for a request: which one of the checklist, and the file (PDF, JPEG, PNG)."""

    requirement = forms.ModelChoiceField(
        label=_("Document"), queryset=None, required=False, empty_label=_("Other document")
    )
    title = forms.CharField(
        label=_("Name of the document"),
        max_length=200,
        required=False,
        help_text=_("Needed only for another document."),
    )
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = case.scheme.documents.order_by("pk")
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"


class EnterpriseSwitchForm(forms.Form):
    enterprise = forms.IntegerField(widget=forms.HiddenInput)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("staff", _("Staff")), ("owner", _("Owner"))],
        initial="staff",
    )


class InvitationAcceptForm(forms.Form):
    """A new account's name and password, checked by the site's password rules."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second:
            if first != second:
                self.add_error("password2", _("The two passwords differ."))
            else:
                from accounts.models import User

                try:
                    password_validation.validate_password(
                        first, User(email=self.email, full_name=data.get("full_name", ""))
                    )
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return data


class EnterpriseProfileForm(forms.ModelForm):
    """What an owner keeps up to date; the size class follows from the revenue."""

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "nib",
            "address",
            "sector",
            "annual_revenue",
            "employees_women",
            "employees_men",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


ProductFormSet = forms.inlineformset_factory(
    Enterprise,
    Product,
    fields=["name", "hs_code"],
    extra=1,
    can_delete=False,
)


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["preferred_language"]


class ExportReportForm(forms.ModelForm):
    """A shipment the enterprise reports; the service's checks run in ``clean`` so a refusal
    shows on the form with what was typed."""

    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=2)
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate (Rp per unit)"), max_digits=18, decimal_places=4
    )
    usd_rate = forms.DecimalField(
        label=_("Rupiah per US dollar"),
        required=False,
        help_text=_("Only for a shipment not in USD."),
    )

    class Meta:
        model = ExportRecord
        fields = [
            "export_date",
            "channel",
            "peb_number",
            "peb_date",
            "npe_number",
            "exporter_name",
            "invoice_or_po_number",
            "platform_name",
            "platform_order_report",
            "airway_bill_number",
            "destination_country",
            "buyer_name",
            "hs_code",
            "value",
            "currency",
            "exchange_rate",
            "exchange_rate_date",
            "exchange_rate_source",
        ]
        widgets = {
            "export_date": forms.DateInput(attrs={"type": "date"}),
            "peb_date": forms.DateInput(attrs={"type": "date"}),
            "exchange_rate_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise

    def arguments(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v is not None}
        data.setdefault("exchange_rate_date", None)
        data.setdefault("export_date", None)
        return data

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        from cohorts.services import exports

        try:
            exports.export_record_build(enterprise=self.enterprise, actor=None, **self.arguments())
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return data

    def _post_clean(self):
        """The model is checked by the service, with the enterprise set."""


class SnapshotForm(forms.ModelForm):
    class Meta:
        model = EnterpriseSnapshot
        fields = ["annual_revenue", "employees_women", "employees_men", "export_status"]


class CaseRequestForm(forms.Form):
    """Ask the trade office for assistance with a certification scheme."""

    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=None)
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("What do you need?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        from certifications.models import Scheme

        self.fields["scheme"].queryset = Scheme.objects.filter(is_active=True).order_by("name_id")
        self.fields["products"].queryset = enterprise.products.order_by("name")


class ApplyForm(forms.Form):
    """The programme's criteria, each confirmed by the enterprise."""

    has_nib = forms.BooleanField(label=_("The enterprise holds an NIB"), required=False)
    continuous_production = forms.BooleanField(
        label=_("The enterprise produces continuously"), required=False
    )
    sufficient_capacity = forms.BooleanField(
        label=_("Its capacity is enough for export orders"), required=False
    )
    committed = forms.BooleanField(
        label=_("We commit to follow the whole programme"), required=True
    )
