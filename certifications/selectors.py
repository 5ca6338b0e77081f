"""Scoped reads of certification requests."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts import roles
from accounts.models import User
from certifications.models import Case, CaseDocument, CaseEvent, Certificate, SchemeDocument
from cohorts.models import Funding


def cases_visible_to(user) -> QuerySet[Case]:
    """Staff: requests their office assists; participants: their enterprises' requests;
    analysts: requests in programmes their funders fund or subsidies they pay."""
    if roles.reads_everything(user):
        return Case.objects.all()
    condition = Q(pk__in=[])
    offices = roles.office_ids(user)
    if offices:
        condition |= Q(office_id__in=offices)
    funders = roles.funder_ids(user)
    if funders:
        funded = Funding.objects.filter(program_id=OuterRef("program_id"), funder_id__in=funders)
        condition |= Q(Exists(funded)) | Q(subsidy_funder_id__in=funders)
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(enterprise_id__in=own)
    return Case.objects.filter(condition)


def cases_managed_by(user) -> QuerySet[Case]:
    if roles.is_platform_admin(user):
        return Case.objects.all()
    return Case.objects.filter(office_id__in=roles.office_ids(user))


def staff_of_every_office(office_ids: set[int] | frozenset[int]) -> QuerySet[User]:
    """Accounts on the staff of each of these offices: the officers a set of requests may be
    given (a request's officer works for its assisting office)."""
    if not office_ids:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, office_memberships__office_id__in=office_ids)
        .annotate(offices=Count("office_memberships__office", distinct=True))
        .filter(offices=len(office_ids))
        .order_by("full_name", "email")
    )


def certificates_visible_to(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(case__in=cases_visible_to(user).values("pk"))


def certificates_managed_by(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(case__in=cases_managed_by(user).values("pk"))


def case_documents_visible_to(user) -> QuerySet[CaseDocument]:
    return CaseDocument.objects.filter(case__in=cases_visible_to(user).values("pk"))


def case_documents_openable_by(user) -> QuerySet[CaseDocument]:
    """The documents whose files a user may open: those of the enterprises the user acts for
    and of the requests the user's office assists; all of them for platform admins. National
    viewers and funders' analysts read requests, never the papers behind them (identity cards
    among them)."""
    if roles.is_platform_admin(user):
        return CaseDocument.objects.all()
    condition = Q(pk__in=[])
    offices = roles.office_ids(user)
    if offices:
        condition |= Q(case__office_id__in=offices)
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(case__enterprise_id__in=own)
    return CaseDocument.objects.filter(condition)


def case_events_visible_to(user) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case__in=cases_visible_to(user).values("pk"))


def certificates_in_force() -> QuerySet[Certificate]:
    """Certificates that still count: active or suspended, whatever their dates say."""
    return Certificate.objects.filter(
        status__in=[Certificate.Status.ACTIVE, Certificate.Status.SUSPENDED]
    )


# --- Dates: what is late, idle or about to lapse (the reminders' rules read these) ---

# Open and still in the enterprise's or office's hands: documents can still be added.
GATHERING_STATUSES = (Case.Status.REQUESTED, Case.Status.PREPARING, Case.Status.REVISION)


def cases_open() -> QuerySet[Case]:
    return Case.objects.filter(status__in=Case.OPEN_STATUSES)


def cases_overdue(*, today: dt.date) -> QuerySet[Case]:
    """Open requests whose target date has passed."""
    return cases_open().filter(target_date__lt=today)


def cases_idle(*, now: dt.datetime, days: int = 14) -> QuerySet[Case]:
    """Open requests nobody has touched for ``days`` days (uses the status+activity index)."""
    return cases_open().filter(last_activity_at__lte=now - dt.timedelta(days=days))


def revisions_near_deadline(*, today: dt.date, within_days: int = 7) -> QuerySet[Case]:
    """Requests sent back for revision whose deadline falls within ``within_days`` from today
    (overdue ones included: they need the reminder most)."""
    return Case.objects.filter(
        status=Case.Status.REVISION,
        revision_deadline__lte=today + dt.timedelta(days=within_days),
    )


def _required_document_missing() -> Exists:
    uploaded = CaseDocument.objects.filter(
        case=OuterRef(OuterRef("pk")), requirement=OuterRef("pk")
    ).exclude(review=CaseDocument.Review.CHANGES_NEEDED)
    return Exists(
        SchemeDocument.objects.filter(scheme=OuterRef("scheme"), required=True).exclude(
            Exists(uploaded)
        )
    )


def cases_missing_documents(*, today: dt.date, within_days: int = 14) -> QuerySet[Case]:
    """Requests still gathering documents, with a target date within ``within_days`` (or
    passed), that lack a mandatory document (none uploaded, or the one uploaded sent back)."""
    return Case.objects.filter(
        status__in=GATHERING_STATUSES,
        target_date__lte=today + dt.timedelta(days=within_days),
    ).filter(_required_document_missing())


def case_missing_requirements(*, case: Case) -> list[SchemeDocument]:
    """The mandatory documents of a request's scheme that nobody has uploaded yet (or whose
    upload was sent back for changes)."""
    present = set(
        case.documents.exclude(review=CaseDocument.Review.CHANGES_NEEDED).values_list(
            "requirement_id", flat=True
        )
    )
    return [d for d in case.scheme.documents.filter(required=True) if d.pk not in present]


def certificates_expiring(*, today: dt.date, within_days: int) -> QuerySet[Certificate]:
    """Certificates in force that expire between today and ``within_days`` days on."""
    return certificates_in_force().filter(
        expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=within_days)
    )


def certificates_surveillance_due(
    *, today: dt.date, within_days: int = 30
) -> QuerySet[Certificate]:
    """Active certificates whose next surveillance audit falls within ``within_days`` (or is
    overdue)."""
    return Certificate.objects.filter(
        status=Certificate.Status.ACTIVE,
        next_surveillance_date__lte=today + dt.timedelta(days=within_days),
    )


# --- The pipeline: requests per status for each scheme, in one aggregate query ---


def case_pipeline(queryset: QuerySet[Case]) -> QuerySet:
    """One row per scheme among ``queryset``: its names, the number of requests in each
    status (keyed by the status value) and in all."""
    per_status = {status: Count("pk", filter=Q(status=status)) for status in Case.Status.values}
    return (
        queryset.values("scheme", "scheme__name_id", "scheme__name_en", "scheme__family")
        .annotate(total=Count("pk"), **per_status)
        .order_by("scheme__family", "scheme__name_id")
    )


# --- Money: cost and subsidy, summed in the database ---


def _money(queryset: QuerySet[Case], key: str) -> QuerySet:
    return (
        queryset.values(key)
        .annotate(
            requests=Count("pk"),
            cost=Coalesce(Sum("cost"), 0),
            subsidy=Coalesce(Sum("subsidy"), 0),
        )
        .order_by(key)
    )


def case_money_by_program(queryset: QuerySet[Case]) -> QuerySet:
    """Per programme (None for requests outside any): requests, cost and subsidy in rupiah."""
    return _money(queryset, "program")


def case_money_by_funder(queryset: QuerySet[Case]) -> QuerySet:
    """Per subsidising funder: requests it subsidises, their cost and the subsidy it pays."""
    return _money(queryset.exclude(subsidy_funder=None), "subsidy_funder")
