"""Every kind of reminder, and whether a user may choose not to receive it.

Essential kinds carry a deadline with consequences (a held seat, a missing document, a
certificate about to lapse); the others are helpful but optional.
"""

from django.utils.translation import gettext_lazy as _

SEAT_OFFER = "cohorts.seat_offer"
SESSION_TOMORROW = "cohorts.session_tomorrow"
ABSENCES = "cohorts.absences"
SNAPSHOT_FOLLOW_UP = "snapshot_follow_up_12m"
EXPORT_FOLLOW_UP = "cohorts.export_follow_up"
DOCUMENT_MISSING = "certifications.document_missing"
REVISION_DEADLINE = "certifications.revision_deadline"
CASE_IDLE = "certifications.case_idle"
CERTIFICATE_EXPIRING = "certifications.certificate_expiring"
SURVEILLANCE_DUE = "certifications.surveillance_due"

LABELS = {
    SEAT_OFFER: _("Seat offered in a class"),
    SESSION_TOMORROW: _("Class session tomorrow"),
    ABSENCES: _("Two absences in a row"),
    SNAPSHOT_FOLLOW_UP: _("12-month follow-up"),
    EXPORT_FOLLOW_UP: _("Export follow-up after graduation"),
    DOCUMENT_MISSING: _("Document missing for a certification request"),
    REVISION_DEADLINE: _("Revision deadline near"),
    CASE_IDLE: _("Certification request idle"),
    CERTIFICATE_EXPIRING: _("Certificate expiring"),
    SURVEILLANCE_DUE: _("Surveillance audit due"),
}

ESSENTIAL = frozenset({SEAT_OFFER, DOCUMENT_MISSING, REVISION_DEADLINE, CERTIFICATE_EXPIRING})
OPTIONAL = [kind for kind in LABELS if kind not in ESSENTIAL]
