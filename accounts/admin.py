from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import formatting, privacy, roles, selectors, services
from accounts.admin_base import (
    ReferenceAdmin,
    ScopedAdmin,
    ScopedInline,
    ScopedRelatedFieldListFilter,
    within,
)
from accounts.models import (
    EMAIL_TAKEN_MESSAGE,
    Enterprise,
    EnterpriseMembership,
    Funder,
    FunderMembership,
    KbliCode,
    OfficeMembership,
    PersonalDataAct,
    Product,
    Province,
    Regency,
    Sector,
    TradeOffice,
    User,
    canonical_email,
)
from office.admin import EnterpriseDuplicatesMixin, EnterpriseImportMixin

# Who may do what follows from roles and memberships (accounts.roles), not from groups.
admin.site.unregister(Group)


@admin.register(Province)
class ProvinceAdmin(ReferenceAdmin):
    list_display = ["name_id", "name_en", "code_bps", "code_kemendagri"]
    search_fields = ["name_id", "name_en", "code_bps", "code_kemendagri"]


@admin.register(Regency)
class RegencyAdmin(ReferenceAdmin):
    list_display = ["name_id", "kind", "province", "code_bps", "code_kemendagri"]
    list_filter = ["kind", ("province", ScopedRelatedFieldListFilter)]
    list_select_related = ["province"]
    search_fields = ["name_id", "name_en", "code_bps", "code_kemendagri"]
    autocomplete_fields = ["province"]


@admin.register(Sector)
class SectorAdmin(ReferenceAdmin):
    list_display = ["name_id", "name_en", "code"]
    search_fields = ["name_id", "name_en", "code"]


class OfficeMembershipInline(ScopedInline):
    model = OfficeMembership
    edited_by = "superuser"
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(TradeOffice)
class TradeOfficeAdmin(ScopedAdmin):
    edited_by = "superuser"
    list_display = ["name", "kind", "province", "ikm_population", "exporter_target_percent"]
    list_filter = ["kind", ("province", ScopedRelatedFieldListFilter)]
    list_select_related = ["province"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["province", "regency"]
    inlines = [OfficeMembershipInline]

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=roles.office_ids(request.user))


class FunderMembershipInline(ScopedInline):
    """A funder's analysts: their accounts are no business of office staff."""

    model = FunderMembership
    edited_by = "superuser"
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_view_permission(self, request, obj=None):
        return roles.reads_everything(request.user)


@admin.register(Funder)
class FunderAdmin(ReferenceAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    inlines = [FunderMembershipInline]


class ProductInline(ScopedInline):
    model = Product
    fields = ["name", "hs_code", "monthly_capacity", "unit"]


class KbliCodeInline(ScopedInline):
    model = KbliCode


class EnterpriseMembershipInline(ScopedInline):
    """The enterprise's members; staff pick among the participants they already manage."""

    model = EnterpriseMembership
    autocomplete_fields = ["user"]
    scoped_choices = {
        "user": lambda request: selectors.participants_editable_by(request.user),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Enterprise)
class EnterpriseAdmin(EnterpriseImportMixin, EnterpriseDuplicatesMixin, ScopedAdmin):
    list_display = [
        "name",
        "nib",
        "owner_name",
        "province",
        "regency",
        "revenue",
        "size_class",
        "export_status",
        "registered_by",
    ]
    list_filter = [
        "size_class",
        "export_status",
        "women_owned",
        "women_led",
        ("registered_by", ScopedRelatedFieldListFilter),
        ("province", ScopedRelatedFieldListFilter),
        ("sector", ScopedRelatedFieldListFilter),
    ]
    list_select_related = ["province", "regency", "registered_by"]
    search_fields = ["name", "nib", "owner_name"]
    autocomplete_fields = ["province", "regency", "sector"]
    # The size class follows the revenue (enterprise_update) and the export status follows
    # verified exports; a correction of either is its own page, with a reason.
    readonly_fields = [
        "size_class",
        "size_class_basis",
        "export_status",
        "data_sharing_consent_at",
        "data_sharing_consent_by",
        "created_at",
    ]
    inlines = [ProductInline, KbliCodeInline, EnterpriseMembershipInline]
    change_form_template = "admin/accounts/enterprise/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "nib", "kbli_version", "registered_by"]}),
        (
            _("Owner"),
            {
                "fields": [
                    "owner_name",
                    "owner_gender",
                    "owner_birth_year",
                    "women_owned",
                    "women_led",
                ]
            },
        ),
        (_("Location and sector"), {"fields": ["province", "regency", "address", "sector"]}),
        (
            _("Size and exports"),
            {
                "fields": [
                    "annual_revenue",
                    "size_class",
                    "size_class_basis",
                    "employees_women",
                    "employees_men",
                    "export_status",
                ]
            },
        ),
        (
            _("Consent"),
            {"fields": ["data_sharing_consent_at", "data_sharing_consent_by", "created_at"]},
        ),
    ]
    scoped_choices = {
        "registered_by": lambda request: selectors.offices_visible_to(request.user),
    }

    def visible_queryset(self, request, queryset):
        return within(queryset, selectors.enterprises_visible_to(request.user))

    def editable_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.enterprises_editable_by(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not roles.is_platform_admin(request.user):
            # Handing an enterprise over to another office is a platform admin's decision.
            readonly.append("registered_by")
        return readonly

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        offices = sorted(roles.office_ids(request.user))
        if len(offices) == 1:
            initial.setdefault("registered_by", offices[0])
        return initial

    @admin.display(description=_("annual revenue"), ordering="annual_revenue")
    def revenue(self, enterprise):
        return formatting.rupiah(enterprise.annual_revenue)

    def save_model(self, request, obj, form, change):
        """Through the services, so the size class is suggested again when the revenue moves."""
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in form.fields if name in data}
            created = services.enterprise_create(actor=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False
        else:
            changes = {
                name: data[name]
                for name in form.changed_data
                if name in services.ENTERPRISE_EDITABLE_FIELDS
            }
            if changes:
                services.enterprise_update(enterprise=obj, actor=request.user, **changes)
            if "registered_by" in form.changed_data:
                services.enterprise_hand_over(
                    enterprise=obj, office=data["registered_by"], actor=request.user
                )
        obj.refresh_from_db()

    # --- corrections by staff, each with its reason ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/correct-size-class/",
                view(self.correct_size_class_view),
                name="accounts_enterprise_correct_size_class",
            ),
            path(
                "<int:pk>/correct-export-status/",
                view(self.correct_export_status_view),
                name="accounts_enterprise_correct_export_status",
            ),
            path(
                "<int:pk>/anonymise-owner/",
                view(self.anonymise_owner_view),
                name="accounts_enterprise_anonymise_owner",
            ),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            extra_context["correction_links"] = [
                (
                    reverse("admin:accounts_enterprise_correct_size_class", args=[obj.pk]),
                    gettext("Correct the size class"),
                ),
                (
                    reverse("admin:accounts_enterprise_correct_export_status", args=[obj.pk]),
                    gettext("Correct the export status"),
                ),
            ]
            if privacy.actor_may_anonymise(request.user, obj):
                extra_context["correction_links"].append(
                    (
                        reverse("admin:accounts_enterprise_anonymise_owner", args=[obj.pk]),
                        gettext("Anonymise the owner"),
                    )
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def anonymise_owner_view(self, request, pk):
        """Shows what anonymising the owner removes and keeps; only the confirm does it."""
        enterprise = get_object_or_404(self.get_queryset(request), pk=pk)
        if not privacy.actor_may_anonymise(request.user, enterprise):
            raise PermissionDenied
        back = reverse("admin:accounts_enterprise_change", args=[enterprise.pk])
        form = AnonymiseOwnerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                privacy.owner_anonymise(
                    enterprise=enterprise, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                self.message_user(
                    request, gettext("The owner's personal data is removed."), messages.SUCCESS
                )
                return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Anonymise the owner of %(enterprise)s")
            % {"enterprise": enterprise.name},
            "plan": privacy.owner_anonymisation_plan(enterprise=enterprise),
            "form": form,
            "object": enterprise,
            "opts": self.opts,
            "back_url": back,
        }
        return TemplateResponse(request, "admin/accounts/enterprise/anonymise_owner.html", context)

    def correct_size_class_view(self, request, pk):
        return self._correction_page(
            request,
            pk,
            form_class=SizeClassCorrectionForm,
            title=gettext("Correct the size class of %(enterprise)s"),
            initial=lambda enterprise: {"size_class": enterprise.size_class},
            perform=lambda enterprise, data: services.enterprise_correct_size_class(
                enterprise=enterprise,
                actor=request.user,
                size_class=data["size_class"],
                reason=data["reason"],
            ),
            done=gettext("The size class is corrected."),
        )

    def correct_export_status_view(self, request, pk):
        return self._correction_page(
            request,
            pk,
            form_class=ExportStatusCorrectionForm,
            title=gettext("Correct the export status of %(enterprise)s"),
            initial=lambda enterprise: {"export_status": enterprise.export_status},
            perform=lambda enterprise, data: services.enterprise_correct_export_status(
                enterprise=enterprise,
                actor=request.user,
                export_status=data["export_status"],
                reason=data["reason"],
            ),
            done=gettext("The export status is corrected."),
        )

    def _correction_page(self, request, pk, *, form_class, title, initial, perform, done):
        enterprise = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, enterprise):
            raise PermissionDenied
        back = reverse("admin:accounts_enterprise_change", args=[enterprise.pk])
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    perform(enterprise, form.cleaned_data)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    self.message_user(request, done, messages.SUCCESS)
                    return HttpResponseRedirect(back)
        else:
            form = form_class(initial=initial(enterprise))
        context = {
            **self.admin_site.each_context(request),
            "title": title % {"enterprise": enterprise.name},
            "intro": gettext("The correction and its reason are kept in the history."),
            "form": form,
            "object": enterprise,
            "opts": self.opts,
            "back_url": back,
        }
        return TemplateResponse(request, "admin/cohorts/seats_form.html", context)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class AnonymiseOwnerForm(forms.Form):
    reason = forms.CharField(
        label=_("the owner's request"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who asked for it, when and how (kept in the record of personal data acts)."),
    )


class SizeClassCorrectionForm(forms.Form):
    size_class = forms.ChoiceField(label=_("size class"), choices=Enterprise.SizeClass.choices)
    reason = forms.CharField(
        label=_("reason"),
        max_length=180,
        help_text=_("For example the assets that decide the class (PP 7/2021)."),
    )


class ExportStatusCorrectionForm(forms.Form):
    export_status = forms.ChoiceField(
        label=_("export status"), choices=Enterprise.ExportStatus.choices
    )
    reason = forms.CharField(label=_("reason"), max_length=500, widget=forms.Textarea)


@admin.register(Product)
class ProductAdmin(ScopedAdmin):
    list_display = ["name", "hs_code", "enterprise", "monthly_capacity", "unit"]
    list_filter = [("enterprise__registered_by", ScopedRelatedFieldListFilter)]
    list_select_related = ["enterprise"]
    search_fields = ["name", "hs_code", "enterprise__name"]
    autocomplete_fields = ["enterprise"]
    scoped_choices = {"enterprise": lambda request: selectors.enterprises_editable_by(request.user)}

    def visible_queryset(self, request, queryset):
        visible = selectors.enterprises_visible_to(request.user)
        return queryset.filter(enterprise__in=visible.values("pk"))

    def editable_queryset(self, request, queryset):
        editable = selectors.enterprises_editable_by(request.user)
        return queryset.filter(enterprise__in=editable.values("pk"))


class CaseInsensitiveEmailMixin:
    """One rule for e-mail addresses: a case variant of another user's address is refused."""

    def clean_email(self):
        email = canonical_email(self.cleaned_data["email"])
        if User.objects.email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(EMAIL_TAKEN_MESSAGE, code="email_taken")
        return email


class UserCreationForm(CaseInsensitiveEmailMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(CaseInsensitiveEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    """Superusers edit every account; office staff edit the participants of their enterprises."""

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "phone", "is_staff", "is_national_viewer", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_national_viewer", "is_active"]
    search_fields = ["email", "full_name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "phone", "preferred_language"]}),
        (
            _("Access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "is_national_viewer"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    filter_horizontal = []

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=selectors.participants_editable_by(request.user).values("pk"))

    def has_add_permission(self, request, *args):
        # New participants arrive through the portal's sign-up and invitations.
        return roles.is_platform_admin(request.user)

    def get_readonly_fields(self, request, obj=None):
        if roles.is_platform_admin(request.user):
            return ["last_login", "date_joined"]
        return ["is_staff", "is_superuser", "is_national_viewer", "last_login", "date_joined"]


# --- Sign-in security: the libraries' own admins, for platform admins only ---


def _platform_only(admin_class):
    """The library's admin, shown and usable only by platform admins (it would otherwise ask
    the permission tables on every admin page)."""

    class PlatformOnly(admin_class):
        def has_module_permission(self, request):
            return roles.is_platform_admin(request.user)

        def has_view_permission(self, request, obj=None):
            return roles.is_platform_admin(request.user)

        def has_change_permission(self, request, obj=None):
            return roles.is_platform_admin(request.user) and super().has_change_permission(
                request, obj
            )

        def has_add_permission(self, request, *args):
            return roles.is_platform_admin(request.user) and super().has_add_permission(
                request, *args
            )

        def has_delete_permission(self, request, obj=None):
            # Deleting a lock or a paired device is how a platform admin unlocks or resets it.
            return roles.is_platform_admin(request.user)

    PlatformOnly.__name__ = f"PlatformOnly{admin_class.__name__}"
    return PlatformOnly


def _reregister_platform_only(*models) -> None:
    for model in models:
        existing = admin.site.get_model_admin(model)
        admin.site.unregister(model)
        admin.site.register(model, _platform_only(type(existing)))


_reregister_platform_only(AccessAttempt, AccessFailureLog, AccessLog, TOTPDevice)


@admin.register(PersonalDataAct)
class PersonalDataActAdmin(ScopedAdmin):
    """The record of downloads and anonymisations; written by the services only."""

    edited_by = "nobody"
    list_display = ["created_at", "kind", "enterprise", "actor", "note"]
    list_filter = ["kind"]
    list_select_related = ["enterprise", "actor"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PersonalDataAct._meta.fields if f.name != "id"]

    def visible_queryset(self, request, queryset):
        # Staff see the acts on enterprises their office registered, and those they did.
        return queryset.filter(
            Q(enterprise__registered_by_id__in=roles.office_ids(request.user))
            | Q(actor=request.user)
        )
