"""The certification rules: what is late, idle or about to lapse, and who is reminded.

Each rule reads what is due with one of the indexed selectors of ``certifications.selectors``
(plus one query for the recipients), writes its rows once per unique key — the key holds the
date that makes it due, so a changed date asks again — and returns the number of rows written.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from certifications import selectors
from certifications.models import Case, Certificate
from cohorts.reminders import members_of, staff_of
from notifications import kinds
from notifications.services import reminders_request_many

# Days before the target date a missing mandatory document is reminded of.
DOCUMENT_MISSING_DAYS = 14
# Days before a revision's deadline the enterprise is reminded.
REVISION_DAYS = 7
# Days without activity after which the officer is reminded of a request.
IDLE_DAYS = 14
# Days before expiry a certificate's holder is reminded (one reminder at each).
EXPIRY_DAYS = (90, 30, 7)
# Days before a surveillance audit is due the holder is reminded.
SURVEILLANCE_DAYS = 30


def _language(user) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _request(kind, user, subject, key, title, body, now, link) -> dict:
    return {
        "kind": kind,
        "recipient": user,
        "subject_object": subject,
        "unique_key": key,
        "title": title,
        "body": body,
        "due_at": now,
        "link": link,
    }


def remind_documents_missing(*, now: dt.datetime | None = None) -> int:
    """The enterprise, when a mandatory document is missing and the target date is near."""
    now = now or timezone.now()
    cases = list(
        selectors.cases_missing_documents(
            today=timezone.localdate(now), within_days=DOCUMENT_MISSING_DAYS
        ).select_related("enterprise", "scheme")
    )
    members = members_of(c.enterprise_id for c in cases)
    requests = []
    for case in cases:
        for user in members[case.enterprise_id]:
            with translation.override(_language(user)):
                values = {
                    "scheme": case.scheme.name,
                    "enterprise": case.enterprise.name,
                    "date": _date(case.target_date),
                }
                title = _("Documents missing for %(scheme)s") % values
                body = (
                    _(
                        "The request of %(enterprise)s for %(scheme)s still lacks a mandatory "
                        "document, and its target date is %(date)s. Upload it in NaikKelas."
                    )
                    % values
                )
            requests.append(
                _request(
                    kinds.DOCUMENT_MISSING,
                    user,
                    case,
                    f"doc-missing:{case.pk}:{case.target_date.isoformat()}:u{user.pk}",
                    title,
                    body,
                    now,
                    reverse("portal:case_upload", args=[case.pk]),
                )
            )
    return reminders_request_many(requests=requests)


def remind_revisions(*, now: dt.datetime | None = None) -> int:
    """The enterprise, when a revision's deadline is near (or passed)."""
    now = now or timezone.now()
    cases = list(
        selectors.revisions_near_deadline(
            today=timezone.localdate(now), within_days=REVISION_DAYS
        ).select_related("enterprise", "scheme")
    )
    members = members_of(c.enterprise_id for c in cases)
    requests = []
    for case in cases:
        for user in members[case.enterprise_id]:
            with translation.override(_language(user)):
                values = {"scheme": case.scheme.name, "date": _date(case.revision_deadline)}
                title = _("Revision for %(scheme)s due by %(date)s") % values
                body = (
                    _(
                        "Your request for %(scheme)s was sent back for revision. Send the "
                        "revised request by %(date)s."
                    )
                    % values
                )
            requests.append(
                _request(
                    kinds.REVISION_DEADLINE,
                    user,
                    case,
                    f"revision:{case.pk}:{case.revision_deadline.isoformat()}:u{user.pk}",
                    title,
                    body,
                    now,
                    reverse("portal:case_detail", args=[case.pk]),
                )
            )
    return reminders_request_many(requests=requests)


def remind_idle_cases(*, now: dt.datetime | None = None) -> int:
    """The officer (or, with none, the assisting office's staff) of a request idle 14 days."""
    now = now or timezone.now()
    cases = list(
        selectors.cases_idle(now=now, days=IDLE_DAYS).select_related(
            "enterprise", "scheme", "officer"
        )
    )
    staff = staff_of(c.office_id for c in cases if c.officer_id is None)
    requests = []
    for case in cases:
        recipients = [case.officer] if case.officer_id else staff[case.office_id]
        for user in recipients:
            with translation.override(_language(user)):
                values = {
                    "scheme": case.scheme.name,
                    "enterprise": case.enterprise.name,
                    "date": _date(timezone.localdate(case.last_activity_at)),
                }
                title = _("No activity on %(enterprise)s's %(scheme)s request") % values
                body = (
                    _(
                        "Nothing has happened on the request of %(enterprise)s for %(scheme)s "
                        "since %(date)s. Please follow it up."
                    )
                    % values
                )
            activity = case.last_activity_at.isoformat(timespec="seconds")
            requests.append(
                _request(
                    kinds.CASE_IDLE,
                    user,
                    case,
                    f"case-idle:{case.pk}:{activity}:u{user.pk}",
                    title,
                    body,
                    now,
                    reverse("portal:case_detail", args=[case.pk]),
                )
            )
    return reminders_request_many(requests=requests)


def remind_certificates_expiring(*, now: dt.datetime | None = None) -> int:
    """The holder, 90, 30 and 7 days before a certificate in force expires (one each), until
    a renewal of it is granted."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    certificates = list(
        selectors.certificates_expiring(today=today, within_days=max(EXPIRY_DAYS))
        .exclude(renewals__status=Case.Status.GRANTED)
        .select_related("case__enterprise", "case__scheme")
    )
    members = members_of(c.case.enterprise_id for c in certificates)
    requests = []
    for certificate in certificates:
        left = (certificate.expiry_date - today).days
        step = min(days for days in EXPIRY_DAYS if days >= left)
        for user in members[certificate.case.enterprise_id]:
            with translation.override(_language(user)):
                values = {
                    "number": certificate.number,
                    "scheme": certificate.case.scheme.name,
                    "date": _date(certificate.expiry_date),
                }
                title = _("Certificate %(number)s expires on %(date)s") % values
                body = (
                    _(
                        "Your %(scheme)s certificate %(number)s expires on %(date)s. Start its "
                        "renewal in time so it does not lapse."
                    )
                    % values
                )
            requests.append(
                _request(
                    kinds.CERTIFICATE_EXPIRING,
                    user,
                    certificate,
                    f"cert-expiring:{certificate.pk}:{certificate.expiry_date.isoformat()}"
                    f":{step}d:u{user.pk}",
                    title,
                    body,
                    now,
                    reverse("portal:certificate_detail", args=[certificate.pk]),
                )
            )
    return reminders_request_many(requests=requests)


def remind_surveillance(*, now: dt.datetime | None = None) -> int:
    """The holder, when an active certificate's surveillance audit is near (or overdue)."""
    now = now or timezone.now()
    certificates = list(
        selectors.certificates_surveillance_due(
            today=timezone.localdate(now), within_days=SURVEILLANCE_DAYS
        ).select_related("case__enterprise", "case__scheme")
    )
    members = members_of(c.case.enterprise_id for c in certificates)
    requests = []
    for certificate in certificates:
        due = certificate.next_surveillance_date
        for user in members[certificate.case.enterprise_id]:
            with translation.override(_language(user)):
                values = {
                    "number": certificate.number,
                    "scheme": certificate.case.scheme.name,
                    "date": _date(due),
                }
                title = _("Surveillance audit of %(number)s due by %(date)s") % values
                body = (
                    _(
                        "The surveillance audit of your %(scheme)s certificate %(number)s is due "
                        "by %(date)s. Arrange it with the certifying body."
                    )
                    % values
                )
            requests.append(
                _request(
                    kinds.SURVEILLANCE_DUE,
                    user,
                    certificate,
                    f"surveillance:{certificate.pk}:{due.isoformat()}:u{user.pk}",
                    title,
                    body,
                    now,
                    reverse("portal:certificate_detail", args=[certificate.pk]),
                )
            )
    return reminders_request_many(requests=requests)


def run_rules(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every certification rule; the number of rows each wrote."""
    now = now or timezone.now()
    return {
        kinds.DOCUMENT_MISSING: remind_documents_missing(now=now),
        kinds.REVISION_DEADLINE: remind_revisions(now=now),
        kinds.CASE_IDLE: remind_idle_cases(now=now),
        kinds.CERTIFICATE_EXPIRING: remind_certificates_expiring(now=now),
        kinds.SURVEILLANCE_DUE: remind_surveillance(now=now),
    }


def close_case_reminders(case: Case) -> int:
    """A closed request is no longer reminded of."""
    from notifications.services import reminder_cancel

    return reminder_cancel(subject_object=case)


def renewed_certificate_reminders(certificate: Certificate) -> int:
    from notifications.services import reminder_cancel

    return reminder_cancel(subject_object=certificate)
