"""Users, roles, operators, funders, enterprises (the IKM) and reference data."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.phone import E164_REGEX, PhoneNumberField
from accounts.reach import KeepsReach, ReachQuerySet

NIB_REGEX = r"^[0-9]{13}$"
KBLI_REGEX = r"^[0-9]{5}$"
HS_CODE_REGEX = r"^[0-9]{8}$"

validate_nib = RegexValidator(NIB_REGEX, _("The NIB must be 13 digits."), code="invalid_nib")
validate_kbli = RegexValidator(KBLI_REGEX, _("A KBLI code has 5 digits."), code="invalid_kbli")
validate_hs_code = RegexValidator(
    HS_CODE_REGEX, _("An HS code has 8 digits (BTKI 2022)."), code="invalid_hs_code"
)

# PP 7/2021 art. 35: annual revenue ceilings of the size classes, in rupiah.
MICRO_MAX_REVENUE = 2_000_000_000
SMALL_MAX_REVENUE = 15_000_000_000
MEDIUM_MAX_REVENUE = 50_000_000_000


class NamedReference(models.Model):
    """Reference data named in both languages; ``name`` follows the active language."""

    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class Province(NamedReference):
    """A province, with its BPS and Kemendagri codes (they differ for some regions)."""

    code_bps = models.CharField(_("BPS code"), max_length=2, unique=True)
    code_kemendagri = models.CharField(_("Kemendagri code"), max_length=2, unique=True)

    class Meta:
        ordering = ["code_kemendagri"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Regency(NamedReference):
    """A regency (kabupaten) or city (kota)."""

    class Kind(models.TextChoices):
        REGENCY = "kabupaten", _("Regency")
        CITY = "kota", _("City")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("province")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code_bps = models.CharField(_("BPS code"), max_length=4, unique=True)
    code_kemendagri = models.CharField(_("Kemendagri code"), max_length=5, unique=True)

    class Meta:
        ordering = ["code_kemendagri"]
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")


class Sector(NamedReference):
    """An industry sector used to group enterprises."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


EMAIL_TAKEN_MESSAGE = _(
    "A user with this e-mail address already exists. E-mail addresses are the same whatever "
    "their capital letters."
)


def canonical_email(email: str) -> str:
    """The one rule for e-mail addresses: compared and stored without regard to case."""
    return BaseUserManager.normalize_email(email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Sign-in (admin and portal, through ModelBackend) matches the address whatever its case.
        return self.alias(email_lower=Lower("email")).get(email_lower=canonical_email(username))

    def email_taken(self, email: str, *, exclude_pk=None) -> bool:
        taken = self.alias(email_lower=Lower("email")).filter(email_lower=canonical_email(email))
        return taken.exclude(pk=exclude_pk).exists() if exclude_pk else taken.exists()

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=canonical_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address."""

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Indonesian")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = PhoneNumberField(_("phone number"), help_text=_("Stored as +62…"))
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.INDONESIAN
    )
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("May sign in to the administration.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_national_viewer = models.BooleanField(
        _("national viewer"),
        default=False,
        help_text=_("Reads every programme (for a ministry); changes nothing."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=E164_REGEX),
                name="user_phone_e164",
                violation_error_message=_("The phone number must be in E.164 form (+62…)."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_whatever_case",
                violation_error_message=EMAIL_TAKEN_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = canonical_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class TradeOffice(models.Model):
    """An operator: a provincial or regency trade office, a technical unit or a partner."""

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", _("Provincial trade office")
        REGENCY = "regency", _("Regency or city trade office")
        TECHNICAL_UNIT = "technical_unit", _("Technical unit")
        PARTNER = "partner", _("Partner operator")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="offices", verbose_name=_("province")
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        verbose_name=_("regency or city"),
    )
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = PhoneNumberField(_("contact phone"))
    ikm_population = models.PositiveBigIntegerField(
        _("IKM population of the area"),
        default=0,
        help_text=_("Registered IKM in the office's area: the denominator of the export target."),
    )
    ikm_population_basis = models.CharField(
        _("source of the IKM population"),
        max_length=200,
        blank=True,
        help_text=_("Where the population figure comes from, for example a registry and year."),
    )
    exporter_target_percent = models.DecimalField(
        _("target share of exporters (%)"), max_digits=5, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("trade office")
        verbose_name_plural = _("trade offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(exporter_target_percent__gte=0) & Q(exporter_target_percent__lte=100),
                name="office_target_percent_range",
                violation_error_message=_("The target share must lie between 0 and 100 percent."),
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=E164_REGEX),
                name="office_phone_e164",
                violation_error_message=_("The phone number must be in E.164 form (+62…)."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def exporter_target_count(self) -> int:
        """Exporters needed to reach the target share of the stated population."""
        return round(self.ikm_population * self.exporter_target_percent / 100)


class Funder(models.Model):
    """A funder or partner: a financing agency, ministry, bank, marketplace or donor."""

    class Kind(models.TextChoices):
        FINANCING_AGENCY = "financing_agency", _("Export-financing agency")
        MINISTRY = "ministry", _("Ministry")
        BANK = "bank", _("Bank")
        MARKETPLACE = "marketplace", _("Marketplace")
        DONOR = "donor", _("Donor")
        REGULATOR = "regulator", _("Regulator")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self) -> str:
        return self.short_name or self.name


class OfficeMembership(models.Model):
    """A user on the staff of a trade office, as manager or officer."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        OFFICER = "officer", _("Officer")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="office_memberships", verbose_name=_("user")
    )
    office = models.ForeignKey(
        TradeOffice, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("office")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OFFICER)

    class Meta:
        verbose_name = _("office staff membership")
        verbose_name_plural = _("office staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office"],
                name="office_membership_unique",
                violation_error_message=_("This user is already on the staff of this office."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.office} ({self.get_role_display()})"


class FunderMembership(models.Model):
    """A user who reads the results of a funder's programmes (an analyst)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="funder_memberships", verbose_name=_("user")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("funder")
    )

    class Meta:
        verbose_name = _("funder analyst")
        verbose_name_plural = _("funder analysts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "funder"],
                name="funder_membership_unique",
                violation_error_message=_("This user is already an analyst of this funder."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.funder}"


class Enterprise(KeepsReach):
    """An IKM: a small or medium industry taking part in the programmes."""

    reach_fields = ("id", "registered_by_id")

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class SizeClass(models.TextChoices):
        MICRO = "micro", _("Micro")
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large (out of scope)")

    class ExportStatus(models.TextChoices):
        NONE = "none", _("Not exporting")
        INDIRECT = "indirect", _("Indirect export (through another party)")
        DIRECT = "direct", _("Direct export")

    name = models.CharField(_("name"), max_length=200)
    nib = models.CharField(
        _("business registration number (NIB)"),
        max_length=13,
        blank=True,
        validators=[validate_nib],
        help_text=_("13 digits. May stay empty until the office helps obtain it."),
    )
    kbli_version = models.CharField(
        _("KBLI version"), max_length=4, default="2020", help_text=_("The KBLI edition used.")
    )
    owner_name = models.CharField(_("owner's name"), max_length=200)
    owner_gender = models.CharField(
        _("owner's gender"), max_length=1, choices=Gender.choices, blank=True
    )
    owner_birth_year = models.PositiveSmallIntegerField(
        _("owner's birth year"), null=True, blank=True
    )
    women_owned = models.BooleanField(
        _("women-owned"),
        default=False,
        help_text=_("Women own more than half of the enterprise."),
    )
    women_led = models.BooleanField(
        _("women-led"),
        default=False,
        help_text=_("A woman is its chief executive or holds most of the management posts."),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("province")
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("regency or city"),
    )
    address = models.TextField(_("address"), blank=True)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("sector"),
    )
    annual_revenue = models.BigIntegerField(_("annual revenue (Rp)"), default=0)
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, default=SizeClass.MICRO
    )
    size_class_basis = models.CharField(
        _("basis of the size class"),
        max_length=200,
        blank=True,
        help_text=_("What the size class was decided on, for example the revenue and its year."),
    )
    employees_women = models.PositiveIntegerField(_("employees (women)"), default=0)
    employees_men = models.PositiveIntegerField(_("employees (men)"), default=0)
    export_status = models.CharField(
        _("export status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.NONE
    )
    registered_by = models.ForeignKey(
        TradeOffice,
        on_delete=models.PROTECT,
        related_name="registered_enterprises",
        verbose_name=_("registered by"),
    )
    data_sharing_consent_at = models.DateTimeField(
        _("consent to share data with funders given at"), null=True, blank=True
    )
    data_sharing_consent_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent given by"),
    )
    members = models.ManyToManyField(
        User, through="EnterpriseMembership", related_name="enterprises", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ReachQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise (IKM)")
        verbose_name_plural = _("enterprises (IKM)")
        indexes = [
            models.Index(fields=["registered_by", "name"]),
            # The admin list's order (name, then newest first), read a page at a time.
            models.Index(fields=["name", "-id"], name="enterprise_list_order"),
            # The Excel import matches rows without a NIB by lower(name) in bulk.
            models.Index(Lower("name"), name="enterprise_name_lower"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nib"],
                condition=~Q(nib=""),
                name="enterprise_nib_unique",
                violation_error_message=_("Another enterprise is registered with this NIB."),
            ),
            models.CheckConstraint(
                condition=Q(nib="") | Q(nib__regex=NIB_REGEX),
                name="enterprise_nib_13_digits",
                violation_error_message=_("The NIB must be 13 digits."),
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__gte=0),
                name="enterprise_revenue_non_negative",
                violation_error_message=_("The annual revenue cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def employees_total(self) -> int:
        return self.employees_women + self.employees_men

    @classmethod
    def reach_enterprises(cls, values: dict) -> set[int]:
        return {values["id"]}

    @staticmethod
    def size_class_for_revenue(revenue: int) -> str:
        """The PP 7/2021 size class that an annual revenue suggests."""
        if revenue <= MICRO_MAX_REVENUE:
            return Enterprise.SizeClass.MICRO
        if revenue <= SMALL_MAX_REVENUE:
            return Enterprise.SizeClass.SMALL
        if revenue <= MEDIUM_MAX_REVENUE:
            return Enterprise.SizeClass.MEDIUM
        return Enterprise.SizeClass.LARGE


class OfficeReach(models.Model):
    """An enterprise an office's staff may read: one it registered, or one taking part in one of
    its programmes. Derived from those rows and kept in step with them (accounts.reach)."""

    office = models.ForeignKey(
        TradeOffice, on_delete=models.CASCADE, related_name="+", verbose_name=_("office")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise")
    )

    class Meta:
        verbose_name = _("office's enterprise")
        verbose_name_plural = _("offices' enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "office"],
                name="office_reach_unique",
                violation_error_message=_("This office already reaches this enterprise."),
            )
        ]
        indexes = [models.Index(fields=["office", "enterprise"], name="office_reach_by_office")]

    def __str__(self) -> str:
        return f"{self.office_id} → {self.enterprise_id}"


class KbliCode(models.Model):
    """A KBLI business-activity code of an enterprise."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="kbli_codes",
        verbose_name=_("enterprise"),
    )
    code = models.CharField(
        _("KBLI code"), max_length=5, validators=[validate_kbli], help_text=_("5 digits")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("KBLI code")
        verbose_name_plural = _("KBLI codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=KBLI_REGEX),
                name="kbli_code_5_digits",
                violation_error_message=_("A KBLI code has 5 digits."),
            ),
            models.UniqueConstraint(
                fields=["enterprise", "code"],
                name="kbli_code_unique_per_enterprise",
                violation_error_message=_("This KBLI code is already listed."),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class EnterpriseMembership(models.Model):
    """A user acting for an enterprise: its owner or a member of its staff."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="enterprise_memberships",
        verbose_name=_("user"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("enterprise"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OWNER)

    class Meta:
        verbose_name = _("enterprise member")
        verbose_name_plural = _("enterprise members")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enterprise"],
                name="enterprise_membership_unique",
                violation_error_message=_("This user is already a member of this enterprise."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.enterprise} ({self.get_role_display()})"


class Product(models.Model):
    """A product an enterprise makes, with its HS code (BTKI 2022)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="products", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=200)
    hs_code = models.CharField(
        _("HS code"),
        max_length=8,
        blank=True,
        validators=[validate_hs_code],
        help_text=_("8 digits (BTKI 2022), e.g. 09012110"),
    )
    monthly_capacity = models.DecimalField(
        _("monthly capacity"), max_digits=14, decimal_places=2, default=0
    )
    unit = models.CharField(_("unit"), max_length=20, default="kg")

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(hs_code="") | Q(hs_code__regex=HS_CODE_REGEX),
                name="product_hs_code_8_digits",
                violation_error_message=_("An HS code has 8 digits (BTKI 2022)."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_capacity__gte=0),
                name="product_capacity_non_negative",
                violation_error_message=_("The capacity cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hs_code_display})" if self.hs_code else self.name

    @property
    def hs_code_display(self) -> str:
        """The HS code as it is printed: NNNN.NN.NN."""
        code = self.hs_code
        return f"{code[:4]}.{code[4:6]}.{code[6:]}" if len(code) == 8 else code


class PersonalDataAct(models.Model):
    """A record of an act on someone's personal data (UU PDP 27/2022): a download of what is
    held about a user, or the anonymisation of an enterprise's owner."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Personal data downloaded")
        ANONYMISE = "anonymise", _("Owner anonymised")

    kind = models.CharField(_("act"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_data_acts",
        verbose_name=_("enterprise"),
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data act")
        verbose_name_plural = _("personal data acts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.created_at:%Y-%m-%d}"
