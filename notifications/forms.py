from django import forms
from django.utils.translation import gettext_lazy as _

from notifications import kinds


class ReminderSettingsForm(forms.Form):
    """The optional kinds of reminder, ticked when wanted; essential ones are always sent."""

    wanted = forms.MultipleChoiceField(
        label=_("Reminders I want to receive"),
        choices=[(kind, kinds.LABELS[kind]) for kind in kinds.OPTIONAL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def muted(self) -> list[str]:
        wanted = set(self.cleaned_data["wanted"])
        return [kind for kind in kinds.OPTIONAL if kind not in wanted]
