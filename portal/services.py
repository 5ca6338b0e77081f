"""Writes of the portal's own rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cohorts.models import Enrollment
from portal.models import CalendarFeed, TrainingCertificate, new_token


@transaction.atomic
def training_certificate_issue(*, enrollment: Enrollment) -> TrainingCertificate:
    """The certificate of a completed enrollment (the same one every time)."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != Enrollment.Status.COMPLETED or enrollment.cohort_id is None:
        raise ValidationError(_("A training certificate is given once the class is completed."))
    certificate, _created = TrainingCertificate.objects.get_or_create(enrollment=enrollment)
    return certificate


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """Make the user's private feed address, or replace it: the old address stops working."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_token()
        feed.save(update_fields=["token", "created_at"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()
