"""Office staff invite an enterprise's people from the admin: the e-mail goes out through
portal.services.invitation_send; an invitation is never edited afterwards."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts import roles
from accounts.admin_base import ScopedAdminMixin
from accounts.selectors import enterprises_editable_by
from portal import services
from portal.models import Invitation


class InvitationAdminForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["enterprise", "email", "role"]


@admin.register(Invitation)
class InvitationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = InvitationAdminForm
    list_display = ["email", "enterprise", "role", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["enterprise"]
    search_fields = ["email", "enterprise__name"]
    scoped_choices = {"enterprise": lambda request: enterprises_editable_by(request.user)}

    def visible_queryset(self, request, queryset):
        return queryset.filter(enterprise__registered_by_id__in=roles.office_ids(request.user))

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["enterprise", "email", "role"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            sent = services.invitation_send(
                enterprise=form.cleaned_data["enterprise"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                site_url=settings.SITE_URL or request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return
        obj.pk = sent.pk
