"""Certification schemes (data, not code) and the assistance cases that pursue them."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.calendar import add_months
from accounts.models import Enterprise, Funder, NamedReference, Product, TradeOffice
from cohorts.models import Program


class Scheme(NamedReference):
    """A certification, licence or registration an enterprise can be helped to obtain."""

    class Family(models.TextChoices):
        SNI = "sni", _("SNI")
        ISO = "iso", _("ISO")
        HACCP = "haccp", _("HACCP")
        HALAL = "halal", _("Halal")
        IP = "ip", _("Intellectual property")
        PRODUCT_PERMIT = "product_permit", _("Product permit")
        OTHER = "other", _("Other")

    class ValidityFrom(models.TextChoices):
        ISSUE = "issue", _("From the issue date")
        FILING = "filing", _("From the filing date")
        NONE = "none", _("Does not expire")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), null=True, blank=True
    )
    validity_from = models.CharField(
        _("validity runs"), max_length=10, choices=ValidityFrom.choices, default=ValidityFrom.ISSUE
    )
    surveillance_months = models.PositiveSmallIntegerField(
        _("surveillance interval (months)"), null=True, blank=True
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        verbose_name=_("prerequisite schemes"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["family", "name_id"]
        verbose_name = _("certification scheme")
        verbose_name_plural = _("certification schemes")
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_from="none")
                | Q(validity_months__isnull=False, validity_months__gte=1),
                name="scheme_validity_stated",
                violation_error_message=_("A scheme that expires needs its validity in months."),
            ),
        ]

    def expiry_for(self, *, issue_date: dt.date, filing_date: dt.date | None) -> dt.date | None:
        """When a certificate of this scheme expires: months from its issue or its filing."""
        if self.validity_from == self.ValidityFrom.NONE or not self.validity_months:
            return None
        start = filing_date if self.validity_from == self.ValidityFrom.FILING else issue_date
        if start is None:
            return None
        return add_months(start, self.validity_months)

    def surveillance_after(self, day: dt.date) -> dt.date | None:
        """The next surveillance audit after ``day`` (an issue or the last audit), if any."""
        return add_months(day, self.surveillance_months) if self.surveillance_months else None


class SchemeMilestone(NamedReference):
    """A step of a scheme, in order."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("scheme")
    )
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["scheme", "order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "order"],
                name="milestone_order_unique",
                violation_error_message=_("This scheme already has a milestone in this place."),
            )
        ]


class SchemeDocument(NamedReference):
    """A document a scheme asks for."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="documents", verbose_name=_("scheme")
    )
    code = models.SlugField(_("code"), max_length=40)
    required = models.BooleanField(_("required"), default=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Identity documents and the like: for the enterprise and its office only."),
    )

    class Meta:
        ordering = ["scheme", "-required", "code"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="scheme_document_code_unique",
                violation_error_message=_("This scheme already lists this document."),
            )
        ]


class Case(models.Model):
    """A request for certification assistance ("Pengajuan fasilitasi sertifikasi")."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PREPARING = "preparing", _("Being prepared")
        SUBMITTED = "submitted", _("Submitted")
        REVISION = "revision", _("Revision needed")
        GRANTED = "granted", _("Granted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("certification request", "Withdrawn")

    OPEN_STATUSES = (Status.REQUESTED, Status.PREPARING, Status.SUBMITTED, Status.REVISION)

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="cases", verbose_name=_("enterprise")
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="cases", verbose_name=_("scheme")
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="cases", verbose_name=_("products")
    )
    office = models.ForeignKey(
        TradeOffice,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("assisting office"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("programme"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("officer"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    current_milestone = models.ForeignKey(
        SchemeMilestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current milestone"),
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    revision_deadline = models.DateField(_("revision deadline"), null=True, blank=True)
    cost = models.BigIntegerField(_("cost (Rp)"), default=0)
    subsidy = models.BigIntegerField(_("subsidy (Rp)"), default=0)
    subsidy_funder = models.ForeignKey(
        Funder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidised_cases",
        verbose_name=_("subsidy paid by"),
    )
    renewal_of = models.ForeignKey(
        "Certificate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renewal of"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Moved by every service that touches the request, so "idle for N days" is one indexed read.
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("certification request")
        verbose_name_plural = _("certification requests")
        indexes = [
            models.Index(fields=["office", "status"]),
            models.Index(fields=["status", "target_date"], name="case_status_target"),
            models.Index(fields=["status", "revision_deadline"], name="case_status_revision"),
            models.Index(fields=["status", "last_activity_at"], name="case_status_activity"),
            models.Index(fields=["-requested_at", "-id"], name="case_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gte=0) & Q(subsidy__gte=0),
                name="case_money_non_negative",
                violation_error_message=_("Cost and subsidy cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy__lte=F("cost")),
                name="case_subsidy_within_cost",
                violation_error_message=_("The subsidy cannot exceed the cost."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy=0) | Q(subsidy_funder__isnull=False),
                name="case_subsidy_names_funder",
                violation_error_message=_("A subsidy must name the funder that pays it."),
            ),
            models.CheckConstraint(
                condition=~Q(status="revision") | Q(revision_deadline__isnull=False),
                name="case_revision_has_deadline",
                violation_error_message=_("A request sent back for revision needs its deadline."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.enterprise}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Certificate(models.Model):
    """What a granted request produces."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("request")
    )
    number = models.CharField(_("number"), max_length=100)
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    issue_date = models.DateField(_("issue date"))
    expiry_date = models.DateField(_("valid until"), null=True, blank=True)
    next_surveillance_date = models.DateField(_("next surveillance"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issue_date"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [
            models.Index(fields=["status", "expiry_date"], name="certificate_status_expiry"),
            models.Index(
                fields=["status", "next_surveillance_date"], name="certificate_status_surveil"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True) | Q(expiry_date__gt=F("issue_date")),
                name="certificate_expires_after_issue",
                violation_error_message=_("A certificate must expire after it is issued."),
            ),
        ]

    def __str__(self) -> str:
        return self.number


def case_document_path(instance: "CaseDocument", filename: str) -> str:
    # The stored name is ours, never the uploader's: it cannot collide, traverse or leak.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}.{extension}"


def private_storage():
    return storages["private"]


class CaseDocument(models.Model):
    """Uploaded evidence for a request; private, served through a permission check."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        CHANGES_NEEDED = "changes", _("Changes needed")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("request")
    )
    requirement = models.ForeignKey(
        SchemeDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document asked for"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=case_document_path, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("file type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["case", "-uploaded_at"]
        verbose_name = _("request document")
        verbose_name_plural = _("request documents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(review="changes") | ~Q(review_note=""),
                name="case_document_changes_explained",
                violation_error_message=_("Say what needs to change in the document."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CaseEvent(models.Model):
    """One entry of a request's timeline: a transition, a step, a document, a certificate."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Status changed")
        MILESTONE = "milestone", _("Step reached")
        OFFICER = "officer", _("Officer assigned")
        PREREQUISITE_OVERRIDE = "override", _("Prerequisites overridden")
        DOCUMENT_UPLOADED = "doc_upload", _("Document uploaded")
        DOCUMENT_APPROVED = "doc_ok", _("Document approved")
        DOCUMENT_CHANGES = "doc_changes", _("Document changes asked for")
        CERTIFICATE_ISSUED = "cert_issued", _("Certificate issued")
        CERTIFICATE_SUSPENDED = "cert_suspend", _("Certificate suspended")
        CERTIFICATE_REINSTATED = "cert_reinst", _("Certificate reinstated")
        CERTIFICATE_REVOKED = "cert_revoke", _("Certificate revoked")
        CERTIFICATE_EXPIRY_CORRECTED = "cert_expiry", _("Certificate expiry corrected")
        CERTIFICATE_EXPIRED = "cert_expired", _("Certificate expired")
        SURVEILLANCE = "surveillance", _("Surveillance recorded")
        RENEWAL_OPENED = "renewal", _("Renewal opened")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    kind = models.CharField(
        _("event"), max_length=12, choices=Kind.choices, default=Kind.TRANSITION
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Case.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Case.Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        indexes = [models.Index(fields=["-created_at", "-id"], name="caseevent_list_order")]

    def __str__(self) -> str:
        return f"{self.case}: {self.summary}"

    @property
    def summary(self) -> str:
        """Labels, not codes: this is how the timeline names each entry."""
        if self.kind != self.Kind.TRANSITION:
            return str(self.get_kind_display())
        if self.from_status:
            return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
        return f"→ {self.get_to_status_display()}"
