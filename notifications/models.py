"""The outbox: one row per message, written in the transaction of the change that calls for it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """A message due to a user at a time, about one subject object."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("message"))
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    lease_until = models.DateTimeField(
        _("claimed until"),
        null=True,
        blank=True,
        help_text=_("A row still sending after this moment is taken back by the dispatcher."),
    )
    dispatched_at = models.DateTimeField(_("handed to a worker at"), null=True, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    unique_key = models.CharField(
        _("unique key"),
        max_length=200,
        unique=True,
        help_text=_("Also the message's Message-ID, so a resend is recognisable."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(
                fields=["due_at"], name="reminder_due_pending", condition=Q(status="pending")
            ),
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(
                fields=["lease_until"], name="reminder_lease_sending", condition=Q(status="sending")
            ),
            models.Index(fields=["status", "due_at"], name="reminder_status_due"),
            models.Index(fields=["due_at", "-id"], name="reminder_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_id} ({self.get_status_display()})"


class ReminderPreference(models.Model):
    """The non-essential kinds of reminder a user chose not to receive."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("user"),
    )
    muted_kinds = models.JSONField(_("kinds not wanted"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return str(self.user_id)
