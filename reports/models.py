"""Funders' API keys, the log of enterprise-level pulls, and frozen report snapshots."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from accounts.models import Funder, TradeOffice


class FunderAPIKey(AbstractAPIKey):
    """A funder's key to the reports API: hashed, named, with expiry, last use and revocation;
    a funder may hold several at once while it rotates them."""

    funder = models.ForeignKey(
        Funder, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("funder")
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = BaseAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("funder API key")
        verbose_name_plural = _("funder API keys")


class EnterpriseDataPull(models.Model):
    """One pull of enterprise-level rows (new exporters): by which key or user, when, how."""

    api_key = models.ForeignKey(
        FunderAPIKey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pulls",
        verbose_name=_("API key"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    endpoint = models.CharField(_("endpoint"), max_length=100)
    query = models.CharField(_("query"), max_length=500, blank=True)
    pulled_at = models.DateTimeField(_("pulled at"), auto_now_add=True)

    class Meta:
        ordering = ["-pulled_at"]
        verbose_name = _("enterprise data pull")
        verbose_name_plural = _("enterprise data pulls")

    def __str__(self) -> str:
        return f"{self.endpoint} {self.pulled_at:%Y-%m-%d %H:%M}"


class ReportSnapshot(models.Model):
    """A period's summary frozen under a name: later data does not change it."""

    name = models.CharField(_("name"), max_length=200)
    funder = models.ForeignKey(
        Funder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_snapshots",
        verbose_name=_("funder"),
    )
    office = models.ForeignKey(
        TradeOffice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_snapshots",
        verbose_name=_("office"),
    )
    filters = models.JSONField(_("filters"), default=dict)
    data = models.JSONField(_("summary"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_key = models.ForeignKey(
        FunderAPIKey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created with API key"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        constraints = [
            models.CheckConstraint(
                condition=Q(funder__isnull=True) | Q(office__isnull=True),
                name="report_snapshot_one_owner",
                violation_error_message=_("A snapshot belongs to a funder or an office, not both."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportSummary(models.Model):
    """A report the API has answered, kept so the next caller with the same programmes,
    filters and language reads it instead of aggregating every row again.

    Beat recomputes the summaries read in the last day every five minutes
    (`reports.summaries.refresh`); one older than REPORT_SUMMARY_MAX_AGE (15 minutes) is
    never served. ``computed_at`` is the report's ``as_of``.
    """

    key = models.CharField(_("key"), max_length=64, unique=True)
    report = models.CharField(_("report"), max_length=20)
    params = models.JSONField(_("parameters"))
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("computed at"))
    read_at = models.DateTimeField(_("last read at"), db_index=True)

    class Meta:
        verbose_name = _("report summary")
        verbose_name_plural = _("report summaries")

    def __str__(self):
        return f"{self.report} {self.computed_at:%Y-%m-%d %H:%M}"
