from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notifications import kinds, preferences
from notifications.forms import ReminderSettingsForm


@login_required
def reminder_settings(request):
    """Each user chooses which optional reminders to receive."""
    muted = set(preferences.muted_kinds(user=request.user))
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST)
        if form.is_valid():
            preferences.preference_set(user=request.user, muted=form.muted())
            messages.success(request, _("Your reminder settings are saved."))
            return redirect("portal:reminder_settings")
    else:
        form = ReminderSettingsForm(
            initial={"wanted": [kind for kind in kinds.OPTIONAL if kind not in muted]}
        )
    essential = [kinds.LABELS[kind] for kind in kinds.LABELS if kind in kinds.ESSENTIAL]
    return render(request, "notifications/settings.html", {"form": form, "essential": essential})
