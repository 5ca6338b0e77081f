from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
