"""Certification schemes (data, not code) and the assistance cases that pursue them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

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

    class Meta:
        ordering = ["scheme", "code"]
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

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("certification request")
        verbose_name_plural = _("certification requests")
        indexes = [models.Index(fields=["office", "status"])]
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
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.enterprise}"


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
    return f"cases/{instance.case_id}/{filename}"


class CaseDocument(models.Model):
    """Uploaded evidence for a request; private, served through a permission check."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Needs replacing")

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
    file = models.FileField(_("file"), upload_to=case_document_path)
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
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["case", "-uploaded_at"]
        verbose_name = _("request document")
        verbose_name_plural = _("request documents")

    def __str__(self) -> str:
        return self.title


class CaseEvent(models.Model):
    """One transition of a request: who, when, from, to, and why."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
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
    to_status = models.CharField(_("to"), max_length=10, choices=Case.Status.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        # Labels, not codes: this is how the timeline names each step.
        if self.from_status:
            return f"{self.case}: {self.get_from_status_display()} → {self.get_to_status_display()}"
        return f"{self.case}: → {self.get_to_status_display()}"
