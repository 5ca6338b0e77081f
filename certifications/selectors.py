"""Scoped reads of certification requests."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts import roles
from certifications.models import Case, CaseDocument, CaseEvent, Certificate


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
        condition |= Q(program__fundings__funder_id__in=funders) | Q(subsidy_funder_id__in=funders)
    own = roles.enterprise_ids(user)
    if own:
        condition |= Q(enterprise_id__in=own)
    return Case.objects.filter(pk__in=Case.objects.filter(condition).values("pk"))


def cases_managed_by(user) -> QuerySet[Case]:
    if roles.is_platform_admin(user):
        return Case.objects.all()
    return Case.objects.filter(office_id__in=roles.office_ids(user))


def certificates_visible_to(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(case__in=cases_visible_to(user).values("pk"))


def certificates_managed_by(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(case__in=cases_managed_by(user).values("pk"))


def case_documents_visible_to(user) -> QuerySet[CaseDocument]:
    return CaseDocument.objects.filter(case__in=cases_visible_to(user).values("pk"))


def case_events_visible_to(user) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case__in=cases_visible_to(user).values("pk"))


def certificates_in_force() -> QuerySet[Certificate]:
    """Certificates that still count: active or suspended, whatever their dates say."""
    return Certificate.objects.filter(
        status__in=[Certificate.Status.ACTIVE, Certificate.Status.SUSPENDED]
    )
