"""Programmes, their stages and classes, and an enterprise's way through them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from accounts.models import (
    HS_CODE_REGEX,
    Enterprise,
    Funder,
    Product,
    TradeOffice,
    validate_hs_code,
)
from accounts.reach import KeepsReach, ReachQuerySet

TIME_ZONE_CHOICES = [
    ("Asia/Jakarta", _("WIB (UTC+7)")),
    ("Asia/Makassar", _("WITA (UTC+8)")),
    ("Asia/Jayapura", _("WIT (UTC+9)")),
]


class Level(models.TextChoices):
    """The three classes, in the order an enterprise moves up through them."""

    PEMULA = "pemula", _("Beginner")
    MENENGAH = "menengah", _("Intermediate")
    MAHIR = "mahir", _("Advanced")


LEVEL_ORDER = [Level.PEMULA, Level.MENENGAH, Level.MAHIR]


class Program(KeepsReach):
    """An export-training programme run by a trade office."""

    reach_fields = ("id", "office_id")

    office = models.ForeignKey(
        TradeOffice, on_delete=models.PROTECT, related_name="programs", verbose_name=_("office")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    attendance_threshold_percent = models.PositiveSmallIntegerField(
        _("attendance threshold (%)"), default=75
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), default=70)
    seat_offer_hours = models.PositiveSmallIntegerField(
        _("seat offer reply deadline (hours)"), default=48
    )
    offers_close_after_sessions = models.PositiveSmallIntegerField(
        _("no seat offers after this many sessions held"), default=2
    )
    target_participants = models.PositiveIntegerField(_("target participants"), default=0)
    target_new_exporters = models.PositiveIntegerField(_("target new exporters"), default=0)
    target_basis = models.CharField(
        _("basis of the targets"),
        max_length=250,
        blank=True,
        help_text=_("The denominator the targets are counted against."),
    )
    funders = models.ManyToManyField(Funder, through="Funding", related_name="programs", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReachQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="program_dates_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(attendance_threshold_percent__lte=100) & Q(pass_mark__lte=100),
                name="program_percentages_at_most_100",
                violation_error_message=_("The threshold and pass mark are at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(seat_offer_hours__gte=1),
                name="program_offer_hours_positive",
                violation_error_message=_("A seat offer must be held for at least one hour."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def reach_enterprises(cls, values: dict) -> set[int]:
        """The programme's participants: moving it to another office moves their reach."""
        if values["id"] is None:
            return set()
        return set(
            Enrollment.objects.filter(program_id=values["id"]).values_list(
                "enterprise_id", flat=True
            )
        )


class Funding(models.Model):
    """A funder's contribution to a programme."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant")
        CO_FUNDING = "co_funding", _("Co-funding")
        IN_KIND = "in_kind", _("In kind")
        SPONSORSHIP = "sponsorship", _("Sponsorship")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="fundings", verbose_name=_("programme")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="fundings", verbose_name=_("funder")
    )
    amount = models.BigIntegerField(_("amount (Rp)"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GRANT)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("fundings")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_amount_non_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["program", "funder", "kind"],
                name="funding_unique_per_kind",
                violation_error_message=_("This funder already funds this programme this way."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} → {self.program}"


class Stage(models.Model):
    """A stage ("Tahap") of a programme."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="stages", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        ordering = ["program", "number"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "number"],
                name="stage_number_unique",
                violation_error_message=_("This programme already has a stage with this number."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="stage_dates_in_order",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="stage_number_positive",
                violation_error_message=_("Stages are numbered from 1."),
            ),
        ]

    def __str__(self) -> str:
        label = _("Stage %(number)s") % {"number": self.number}
        return f"{self.program} — {label}"


class Cohort(models.Model):
    """One class of a stage: a level, a capacity, a venue or a link."""

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("stage")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    name = models.CharField(_("name"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    venue = models.CharField(_("venue"), max_length=250, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=20, choices=TIME_ZONE_CHOICES, default="Asia/Jakarta"
    )
    trainers = models.CharField(_("trainers"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "level", "name"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="cohort_capacity_positive",
                violation_error_message=_("A class has room for at least one participant."),
            ),
            models.UniqueConstraint(
                fields=["stage", "name"],
                name="cohort_name_unique_per_stage",
                violation_error_message=_("This stage already has a class with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def program_id(self) -> int:
        return self.stage.program_id


class Enrollment(KeepsReach):
    """An enterprise's way through one stage, from application to the end ("Kepesertaan")."""

    reach_fields = ("enterprise_id", "program_id")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SELECTED = "selected", _("Selected")
        REJECTED = "rejected", _("Not selected")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Seat offered")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REMOVED = "removed", _("Removed")

    INACTIVE_STATUSES = (Status.REJECTED, Status.WITHDRAWN, Status.REMOVED)
    SEAT_STATUSES = (Status.ENROLLED, Status.OFFERED)

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("enterprise"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("programme")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("stage")
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("class"),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.APPLIED
    )
    # Selection data
    has_nib = models.BooleanField(_("holds an NIB"), default=False)
    continuous_production = models.BooleanField(
        _("product in continuous production"), default=False
    )
    sufficient_capacity = models.BooleanField(_("sufficient production capacity"), default=False)
    committed = models.BooleanField(_("committed to the whole programme"), default=False)
    readiness_score = models.PositiveSmallIntegerField(
        _("export-readiness score"), null=True, blank=True, help_text=_("0–100")
    )
    suggested_level = models.CharField(
        _("suggested level"), max_length=10, choices=Level.choices, blank=True
    )
    site_visit_notes = models.TextField(_("site-visit notes"), blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    # Seats
    waitlist_position = models.PositiveIntegerField(
        _("waiting-list position"), null=True, blank=True
    )
    offer_expires_at = models.DateTimeField(_("offer reply deadline"), null=True, blank=True)
    offers_made = models.PositiveIntegerField(
        _("seat offers made"),
        default=0,
        help_text=_("Counts every seat offer made to this enrollment; each offer's own number."),
    )
    placement_override_reason = models.TextField(_("reason for placement above level"), blank=True)
    placement_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placement override by"),
    )
    # Completion
    assessment_score = models.PositiveSmallIntegerField(
        _("assessment score"), null=True, blank=True, help_text=_("0–100")
    )
    output_export_plan = models.BooleanField(_("export plan delivered"), default=False)
    output_fob_calculation = models.BooleanField(
        _("FOB price calculation delivered"), default=False
    )
    output_product_catalogue = models.BooleanField(_("product catalogue delivered"), default=False)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    leaving_reason = models.TextField(
        _("reason for leaving"),
        blank=True,
        help_text=_("Why the enterprise withdrew or was removed; the selection's reason stays."),
    )

    history = HistoricalRecords()

    objects = ReachQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "cohort", "waitlist_position", "pk"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        indexes = [
            models.Index(fields=["cohort", "status"]),
            # The admin list's order (EnrollmentAdmin.ordering), read a page at a time.
            models.Index(
                fields=["stage", "cohort", "waitlist_position", "id"], name="enrollment_list_order"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "stage"],
                condition=~Q(status__in=["rejected", "withdrawn", "removed"]),
                name="enrollment_one_active_per_stage",
                violation_error_message=_("This enterprise already takes part in this stage."),
            ),
            models.CheckConstraint(
                condition=Q(readiness_score__isnull=True) | Q(readiness_score__lte=100),
                name="enrollment_readiness_score_range",
                violation_error_message=_("The readiness score lies between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(assessment_score__isnull=True) | Q(assessment_score__lte=100),
                name="enrollment_assessment_score_range",
                violation_error_message=_("The assessment score lies between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=["waitlisted", "offered", "enrolled", "completed", "not_completed"]
                )
                | Q(cohort__isnull=False),
                name="enrollment_seated_has_class",
                violation_error_message=_("An admitted enrollment must name its class."),
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="enrollment_offer_has_deadline",
                violation_error_message=_("A seat offer needs a reply deadline."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} — {self.cohort or self.stage}"

    @classmethod
    def reach_enterprises(cls, values: dict) -> set[int]:
        return {values["enterprise_id"]}

    @property
    def is_active(self) -> bool:
        return self.status not in self.INACTIVE_STATUSES


class Session(models.Model):
    """A meeting of a class ("Pertemuan"); a cancelled one stays, marked."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("class")
    )
    topic = models.CharField(_("topic"), max_length=250)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=250, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    speakers = models.CharField(_("speakers"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=250, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["cohort", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.starts_at:%Y-%m-%d})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Attendance(models.Model):
    """Whether an enrollment's enterprise attended a session, and who came for it."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")
        SICK = "sick", _("Sick")

    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("enrollment"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    attendee_name = models.CharField(_("attended by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "session"],
                name="attendance_once_per_session",
                violation_error_message=_("Attendance for this session is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.enterprise} — {self.session}: {self.get_status_display()}"


class CoachingVisit(models.Model):
    """A coaching visit ("Pendampingan") to an enrolled enterprise."""

    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="coaching_visits",
        verbose_name=_("enrollment"),
    )
    coach = models.CharField(_("coach"), max_length=200)
    visit_date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    next_steps = models.TextField(_("agreed next steps"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-visit_date"]
        verbose_name = _("coaching visit")
        verbose_name_plural = _("coaching visits")

    def __str__(self) -> str:
        return f"{self.enrollment.enterprise} — {self.visit_date}"


class EnterpriseSnapshot(models.Model):
    """An enterprise's figures at intake, at completion and 12 months later."""

    class Moment(models.TextChoices):
        INTAKE = "intake", _("At intake")
        COMPLETION = "completion", _("At completion")
        FOLLOW_UP = "follow_up_12m", _("12 months later")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("enterprise")
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("programme")
    )
    moment = models.CharField(_("moment"), max_length=15, choices=Moment.choices)
    taken_on = models.DateField(_("date"))
    annual_revenue = models.BigIntegerField(_("annual revenue (Rp)"), default=0)
    employees_women = models.PositiveIntegerField(_("employees (women)"), default=0)
    employees_men = models.PositiveIntegerField(_("employees (men)"), default=0)
    size_class = models.CharField(
        _("size class"), max_length=10, choices=Enterprise.SizeClass.choices
    )
    export_status = models.CharField(
        _("export status"), max_length=10, choices=Enterprise.ExportStatus.choices
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise", "program", "taken_on"]
        verbose_name = _("enterprise snapshot")
        verbose_name_plural = _("enterprise snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "program", "moment"],
                name="snapshot_once_per_moment",
                violation_error_message=_("This snapshot is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__gte=0),
                name="snapshot_revenue_non_negative",
                violation_error_message=_("The annual revenue cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} — {self.get_moment_display()}"


class ExportRecord(models.Model):
    """A shipment an enterprise reports, with the evidence its channel produces."""

    class Channel(models.TextChoices):
        DIRECT = "direct", _("Direct, under its own PEB")
        VIA_EXPORTER = "via_exporter", _("Through an exporter")
        MARKETPLACE = "marketplace", _("Through a marketplace")
        COURIER = "courier", _("By post or courier")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="exports", verbose_name=_("enterprise")
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exports",
        verbose_name=_("programme"),
    )
    export_date = models.DateField(_("export date"))
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices)
    peb_number = models.CharField(_("PEB number"), max_length=30, blank=True)
    peb_date = models.DateField(_("PEB date"), null=True, blank=True)
    npe_number = models.CharField(_("NPE number"), max_length=30, blank=True)
    exporter_name = models.CharField(_("exporter"), max_length=200, blank=True)
    invoice_or_po_number = models.CharField(_("invoice or PO number"), max_length=60, blank=True)
    platform_name = models.CharField(_("platform"), max_length=100, blank=True)
    platform_order_report = models.CharField(_("platform order report"), max_length=100, blank=True)
    airway_bill_number = models.CharField(_("airway bill number"), max_length=40, blank=True)
    destination_country = CountryField(_("destination country"))
    buyer_name = models.CharField(_("buyer"), max_length=200, blank=True)
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
        verbose_name=_("product"),
    )
    hs_code = models.CharField(_("HS code"), max_length=8, validators=[validate_hs_code])
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    exchange_rate = models.DecimalField(
        _("exchange rate (Rp per unit)"), max_digits=18, decimal_places=4
    )
    exchange_rate_date = models.DateField(_("exchange-rate date"))
    exchange_rate_source = models.CharField(_("exchange-rate source"), max_length=100)
    value_idr = models.BigIntegerField(_("value (Rp)"))
    value_usd = models.DecimalField(_("value (USD)"), max_digits=18, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    peb_flagged = models.BooleanField(
        _("PEB claimed by another enterprise"),
        default=False,
        help_text=_(
            "Flagged for review, not refused: one container may carry several IKM's goods."
        ),
    )
    is_new_destination = models.BooleanField(_("new destination"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified or rejected by"),
    )
    decided_at = models.DateTimeField(_("verified or rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-export_date"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        indexes = [
            models.Index(fields=["enterprise", "status"]),
            models.Index(fields=["peb_number"]),
            models.Index(fields=["-export_date", "-id"], name="export_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0) & Q(value_idr__gte=0) & Q(value_usd__gte=0),
                name="export_values_positive",
                violation_error_message=_("Export values must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(exchange_rate__gt=0),
                name="export_rate_positive",
                violation_error_message=_("The exchange rate must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(hs_code__regex=HS_CODE_REGEX),
                name="export_hs_code_8_digits",
                violation_error_message=_("An HS code has 8 digits (BTKI 2022)."),
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="export_currency_iso",
                violation_error_message=_("The currency is a three-letter ISO 4217 code."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.destination_country.code} ({self.export_date})"


class Graduation(models.Model):
    """A new exporter ("Eksportir baru"): once per enterprise, at its first verified export.

    The rule: an enterprise that did not export when it first took a seat in any programme
    becomes a new exporter once, at its earliest verified export dated on or after that day.
    The graduation names every programme the enterprise was seated in on the export's date
    (a seat taken on or before it and not ended before it; if none was still open, the
    programme whose seat it took last before the export); each of them counts it, once.
    Only the verification service writes it. When a verification is reversed, or an earlier
    export is verified later, the rule is applied again: the graduation that no longer
    matches is revoked (the row stays, with who, when and why) and the earliest verified
    export that still qualifies, if any, graduates anew. At most one graduation per
    enterprise is not revoked.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="graduations",
        verbose_name=_("enterprise"),
    )
    programs = models.ManyToManyField(
        Program, related_name="graduations", verbose_name=_("programmes")
    )
    export_record = models.ForeignKey(
        ExportRecord,
        on_delete=models.PROTECT,
        related_name="graduations",
        verbose_name=_("first export"),
    )
    graduated_on = models.DateField(_("graduated on"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-graduated_on"]
        verbose_name = _("new exporter")
        verbose_name_plural = _("new exporters")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(revoked_at__isnull=True),
                name="graduation_once_per_enterprise",
                violation_error_message=_("This enterprise is already a new exporter."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} — {self.graduated_on}"
