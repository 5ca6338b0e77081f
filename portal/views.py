"""The participants' pages. Every read goes through portal.selectors (scoped to the user's
enterprises) and every write through the domain apps' services."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts import services as account_services
from accounts.models import User
from certifications import services as case_services
from certifications.selectors import case_missing_requirements
from cohorts.models import Enrollment, EnterpriseSnapshot, Level
from cohorts.services import exports as export_services
from cohorts.services import seats
from cohorts.services import selection as selection_services
from cohorts.services import snapshots as snapshot_services
from cohorts.services.classes import next_level
from config.client_ip import throttle
from portal import calendar, certificate_pdf, selectors
from portal import services as portal_services
from portal.forms import (
    ApplyForm,
    CaseRequestForm,
    EnterpriseProfileForm,
    EnterpriseSwitchForm,
    ExportReportForm,
    InvitationAcceptForm,
    InviteForm,
    LanguageForm,
    LoginForm,
    ProductFormSet,
    SnapshotForm,
    UploadForm,
)
from portal.models import CalendarFeed, TrainingCertificate


def reports_home_url() -> str | None:
    """The analysts' reports page, once it exists."""
    try:
        return reverse("reports:home")
    except NoReverseMatch:
        return None


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Reset by e-mail, at most PASSWORD_RESET_LIMIT_PER_HOUR requests per address an hour."""

    template_name = "portal/password_reset.html"
    email_template_name = "portal/email/password_reset.txt"
    subject_template_name = "portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")

    def post(self, request, *args, **kwargs):
        if not throttle(
            request, scope="password_reset", limit=settings.PASSWORD_RESET_LIMIT_PER_HOUR
        ):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Too many requests from this address. Try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


def for_current_enterprise(view):
    """A signed-in page of the enterprise the user works for, given to the view as
    ``enterprise``; a user without one is shown where to turn instead."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        enterprise = selectors.current_enterprise(request)
        if enterprise is None:
            return _no_enterprise(request)
        return view(request, enterprise, *args, **kwargs)

    return wrapped


def _no_enterprise(request):
    """Analysts and national viewers go to the reports; others see where to turn."""
    url = reports_home_url()
    reader = roles.is_funder_analyst(request.user) or roles.is_national_viewer(request.user)
    if url and reader:
        return redirect(url)
    return render(
        request,
        "portal/no_enterprise.html",
        {"may_use_admin": roles.may_use_admin(request.user), "reader": reader},
    )


@for_current_enterprise
def home(request, enterprise):
    """What needs doing first, then sessions, requests, offers, reminders and progress."""
    now = timezone.now()
    offers, classes = selectors.offers_and_classes_of(enterprise)
    cases = list(selectors.open_cases_of(enterprise))
    todo = []
    for offer in offers:
        todo.append({"kind": "offer", "enrollment": offer, "due": offer.offer_expires_at})
    for case in cases:
        if case.status == case.Status.REVISION:
            todo.append({"kind": "revision", "case": case, "due": case.revision_deadline})
        elif case.missing_documents and case.status in (
            case.Status.REQUESTED,
            case.Status.PREPARING,
        ):
            todo.append({"kind": "documents", "case": case, "due": case.target_date})
    # The same rows as completed_levels(enterprise), already loaded with the classes.
    done = {e.cohort.level for e in classes if e.status == Enrollment.Status.COMPLETED}
    progress = []
    for level in sorted(done):
        following = next_level(level)
        progress.append(
            {"level": Level(level).label, "next": following.label if following else None}
        )
    return render(
        request,
        "portal/home.html",
        {
            "enterprise": enterprise,
            "enterprises": selectors.enterprises_list(request.user, current=enterprise),
            "todo": todo,
            "offers": offers,
            "sessions": selectors.next_sessions(classes, now=now),
            "cases": cases,
            "classes": classes,
            "reminders": list(selectors.latest_reminders(request.user)),
            "progress": progress,
            "may_use_admin": roles.may_use_admin(request.user),
        },
    )


@login_required
@require_POST
def switch_enterprise(request):
    form = EnterpriseSwitchForm(request.POST)
    if not form.is_valid() or form.cleaned_data["enterprise"] not in roles.enterprise_ids(
        request.user
    ):
        raise Http404
    request.session[selectors.SESSION_KEY] = form.cleaned_data["enterprise"]
    return redirect("portal:home")


@login_required
def offer(request, enrollment_id: int):
    """A seat offer: accept or decline before its deadline."""
    enrollment = selectors.enrollment_for_offer(request.user, enrollment_id)
    if request.method == "POST":
        choice = request.POST.get("choice")
        try:
            if choice == "accept":
                seats.offer_accept(enrollment=enrollment, actor=request.user)
                messages.success(
                    request,
                    _("You have a seat in %(cohort)s. See you at the first session.")
                    % {"cohort": enrollment.cohort.name},
                )
                return redirect("portal:class_detail", cohort_id=enrollment.cohort_id)
            if choice == "decline":
                seats.offer_decline(enrollment=enrollment, actor=request.user)
                messages.success(request, _("You declined the seat offer."))
                return redirect("portal:home")
            messages.error(request, _("Choose to accept or to decline the offer."))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        enrollment = selectors.enrollment_for_offer(request.user, enrollment_id)
    return render(request, "portal/offer.html", {"enrollment": enrollment})


@login_required
def class_detail(request, cohort_id: int):
    enrollment = selectors.class_enrollment(request.user, cohort_id)
    sessions = selectors.class_sessions(enrollment)
    return render(
        request,
        "portal/class_detail.html",
        {
            "enrollment": enrollment,
            "cohort": enrollment.cohort,
            "sessions": sessions,
            "rate": selectors.attendance_rate(sessions),
            "now": timezone.now(),
        },
    )


@login_required
def class_ics(request, cohort_id: int):
    enrollment = selectors.class_enrollment(request.user, cohort_id)
    sessions = selectors.class_sessions(enrollment)
    response = HttpResponse(
        calendar.sessions_ics(enrollment.cohort, sessions),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="kelas-{cohort_id}.ics"'
    return response


@for_current_enterprise
def classes(request, enterprise):
    return render(
        request,
        "portal/classes.html",
        {"enterprise": enterprise, "classes": list(selectors.classes_of(enterprise))},
    )


@for_current_enterprise
def cases(request, enterprise):
    return render(
        request,
        "portal/cases.html",
        {"enterprise": enterprise, "cases": list(selectors.cases_of(enterprise))},
    )


@for_current_enterprise
def case_new(request, enterprise):
    """Ask the office that registered the enterprise for assistance with a new scheme."""
    form = CaseRequestForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_services.case_request(
                enterprise=enterprise,
                scheme=form.cleaned_data["scheme"],
                office=enterprise.registered_by,
                actor=request.user,
                products=form.cleaned_data["products"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your request is sent to your trade office."))
            return redirect("portal:case_detail", case_id=case.pk)
    return render(request, "portal/case_new.html", {"form": form, "enterprise": enterprise})


@for_current_enterprise
def apply(request, enterprise):
    """Open stages to apply to, with the criteria checklist, and the applications' status."""
    stages = list(selectors.open_stages_for(enterprise))
    form = ApplyForm(request.POST or None)
    if request.method == "POST":
        stage = next((s for s in stages if str(s.pk) == request.POST.get("stage")), None)
        if stage is None:
            raise Http404
        if form.is_valid():
            try:
                selection_services.enrollment_apply(
                    enterprise=enterprise, stage=stage, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Your application is sent."))
                return redirect("portal:apply")
    return render(
        request,
        "portal/apply.html",
        {
            "enterprise": enterprise,
            "stages": stages,
            "form": form,
            "applications": list(selectors.applications_of(enterprise)),
        },
    )


@login_required
def reminders(request):
    """The user's reminders, newest first."""
    return render(
        request,
        "portal/reminders.html",
        {"reminders": list(selectors.reminders_page(request.user))},
    )


@login_required
def case_detail(request, case_id: int):
    case = selectors.case_for(request.user, case_id)
    missing = {d.pk for d in case_missing_requirements(case=case)}
    milestones = list(case.scheme.milestones.all())
    current_order = case.current_milestone.order if case.current_milestone else None
    checklist = []
    documents = list(case.documents.all())
    for requirement in case.scheme.documents.all():
        uploads = [d for d in documents if d.requirement_id == requirement.pk]
        checklist.append(
            {
                "requirement": requirement,
                "missing": requirement.pk in missing,
                "latest": uploads[0] if uploads else None,
            }
        )
    return render(
        request,
        "portal/case_detail.html",
        {
            "case": case,
            "milestones": milestones,
            "current_order": current_order,
            "checklist": checklist,
            "documents": documents,
            "events": list(case.events.all())[:20],
        },
    )


@login_required
def case_upload(request, case_id: int):
    case = selectors.case_for(request.user, case_id)
    initial = {}
    if request.GET.get("dokumen", "").isdigit():
        initial["requirement"] = int(request.GET["dokumen"])
    form = UploadForm(request.POST or None, request.FILES or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.document_upload(
                case=case,
                actor=request.user,
                file=form.cleaned_data["file"],
                requirement=form.cleaned_data["requirement"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("The document was uploaded. Your trade office will review it.")
            )
            return redirect("portal:case_detail", case_id=case.pk)
    return render(request, "portal/case_upload.html", {"case": case, "form": form})


@login_required
def training_certificate(request, cohort_id: int):
    """The PDF of a completed class's training certificate."""
    enrollment = selectors.class_enrollment(request.user, cohort_id)
    try:
        certificate = portal_services.training_certificate_issue(enrollment=enrollment)
    except ValidationError:
        raise Http404 from None
    certificate.enrollment = enrollment
    verify_url = settings.SITE_URL + reverse("portal:verify", args=[certificate.token])
    if not settings.SITE_URL:
        verify_url = request.build_absolute_uri(reverse("portal:verify", args=[certificate.token]))
    response = HttpResponse(
        certificate_pdf.render(certificate=certificate, verify_url=verify_url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="sertifikat-kelas-{cohort_id}.pdf"'
    return response


def verify(request, token: str):
    """Public: whether a training certificate is genuine, with only the enterprise's name,
    the class and the date."""
    certificate = (
        TrainingCertificate.objects.select_related("enrollment__enterprise", "enrollment__cohort")
        .filter(token=token, enrollment__status=Enrollment.Status.COMPLETED)
        .first()
    )
    return render(
        request,
        "portal/verify.html",
        {"certificate": certificate},
        status=200 if certificate else 404,
    )


@login_required
def calendar_feed(request):
    """The private feed address: make, replace or revoke it."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            portal_services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar address no longer works."))
        else:
            portal_services.calendar_feed_renew(user=request.user)
            messages.success(request, _("Your calendar address is ready."))
        return redirect("portal:calendar_feed")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = (
        request.build_absolute_uri(reverse("portal:calendar_feed_ics", args=[feed.token]))
        if feed
        else None
    )
    return render(request, "portal/calendar_feed.html", {"feed": feed, "feed_url": feed_url})


def calendar_feed_ics(request, token: str):
    """Public by its secret address: every session of the owner's classes."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    sessions = selectors.feed_sessions(feed.user)
    return HttpResponse(
        calendar.sessions_ics(None, sessions), content_type="text/calendar; charset=utf-8"
    )


@login_required
def certificate_detail(request, certificate_id: int):
    """A certification certificate opens its request."""
    case_id = selectors.certificate_case_id(request.user, certificate_id)
    return redirect("portal:case_detail", case_id=case_id)


@for_current_enterprise
def profile(request, enterprise):
    """The enterprise's profile (owners edit it), products, consent, language, invitations."""
    owner = selectors.is_owner(request.user, enterprise)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and action != "language" and not owner and action != "consent":
        raise Http404
    profile_form = EnterpriseProfileForm(
        request.POST if action == "profile" else None, instance=enterprise, prefix="ikm"
    )
    products = ProductFormSet(
        request.POST if action == "products" else None, instance=enterprise, prefix="produk"
    )
    language_form = LanguageForm(
        request.POST if action == "language" else None, instance=request.user, prefix="bahasa"
    )
    invite_form = InviteForm(request.POST if action == "invite" else None)
    if action == "profile" and profile_form.is_valid():
        try:
            account_services.enterprise_update(
                enterprise=enterprise,
                actor=request.user,
                **{name: profile_form.cleaned_data[name] for name in profile_form.changed_data},
            )
        except ValidationError as error:
            _form_errors(profile_form, error)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("portal:profile")
    elif action == "products" and products.is_valid():
        portal_services.products_save(formset=products, actor=request.user)
        messages.success(request, _("The products are saved."))
        return redirect("portal:profile")
    elif action == "consent":
        try:
            account_services.enterprise_record_consent(enterprise=enterprise, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your consent is recorded."))
        return redirect("portal:profile")
    elif action == "language" and language_form.is_valid():
        language_form.save()
        response = redirect("portal:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            request.user.preferred_language,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        return response
    elif action == "invite" and invite_form.is_valid():
        try:
            portal_services.invitation_send(
                enterprise=enterprise,
                email=invite_form.cleaned_data["email"],
                role=invite_form.cleaned_data["role"],
                actor=request.user,
                site_url=settings.SITE_URL or request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            _form_errors(invite_form, error)
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("portal:profile")
    if not owner:
        for field in profile_form.fields.values():
            field.disabled = True
    return render(
        request,
        "portal/profile.html",
        {
            "enterprise": enterprise,
            "owner": owner,
            "profile_form": profile_form,
            "products": products,
            "language_form": language_form,
            "invite_form": invite_form,
        },
    )


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def invitation(request, token: str):
    """The link of an invitation e-mail: choose a password (a new account) or, signed in as
    the invited address, join the enterprise."""
    invitation = portal_services.invitation_for_token(token)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    existing = User.objects.email_taken(invitation.email)
    if existing and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                portal_services.invitation_accept(token=token, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                request.session[selectors.SESSION_KEY] = invitation.enterprise_id
                return redirect("portal:home")
    else:
        form = InvitationAcceptForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                user = portal_services.invitation_accept(
                    token=token,
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["full_name"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("portal:home")
    return render(request, "portal/invitation.html", {"invitation": invitation, "form": form})


@for_current_enterprise
def exports(request, enterprise):
    return render(
        request,
        "portal/exports.html",
        {"enterprise": enterprise, "exports": list(selectors.exports_of(enterprise))},
    )


@for_current_enterprise
def export_report(request, enterprise):
    """Report a shipment with the evidence of its channel; the office then verifies it."""
    form = ExportReportForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            record = export_services.export_record_create(
                actor=request.user, enterprise=enterprise, **form.arguments()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("The shipment is reported. Your trade office will check it.")
            )
            return redirect("portal:export_detail", export_id=record.pk)
    return render(request, "portal/export_report.html", {"form": form, "enterprise": enterprise})


@login_required
def export_detail(request, export_id: int):
    record = selectors.export_for(request.user, export_id)
    return render(request, "portal/export_detail.html", {"record": record})


@login_required
def snapshot(request, enrollment_id: int):
    """The 12-month follow-up: the enterprise's figures a year after the programme."""
    enrollment = selectors.enrollment_for_offer(request.user, enrollment_id)
    enterprise = enrollment.enterprise
    existing = EnterpriseSnapshot.objects.filter(
        enterprise=enterprise,
        program=enrollment.program,
        moment=EnterpriseSnapshot.Moment.FOLLOW_UP,
    ).first()
    form = SnapshotForm(
        request.POST or None,
        instance=existing
        or EnterpriseSnapshot(
            annual_revenue=enterprise.annual_revenue,
            employees_women=enterprise.employees_women,
            employees_men=enterprise.employees_men,
            export_status=enterprise.export_status,
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            snapshot_services.snapshot_record(
                enterprise=enterprise,
                program=enrollment.program,
                moment=EnterpriseSnapshot.Moment.FOLLOW_UP,
                actor=request.user,
                annual_revenue=form.cleaned_data["annual_revenue"],
                employees_women=form.cleaned_data["employees_women"],
                employees_men=form.cleaned_data["employees_men"],
                export_status=form.cleaned_data["export_status"],
                size_class=enterprise.size_class_for_revenue(form.cleaned_data["annual_revenue"]),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Thank you: the figures are recorded."))
            return redirect("portal:home")
    return render(
        request,
        "portal/snapshot.html",
        {"form": form, "enrollment": enrollment, "existing": existing},
    )


@login_required
def placeholder(request, **_ids):
    """Pages an e-mail may link to that are not built yet open the start page."""
    return redirect("portal:home")
