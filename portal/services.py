"""Writes of the portal's own rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import EnterpriseMembership, User, canonical_email
from cohorts.models import Enrollment
from portal.models import CalendarFeed, Invitation, TrainingCertificate, new_token


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


INVITATION_DAYS = 7


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_invite(actor, enterprise) -> bool:
    """Office staff of the registering office, platform admins, and owners of the enterprise."""
    if roles.is_platform_admin(actor):
        return True
    if enterprise.registered_by_id in roles.office_ids(actor):
        return True
    return EnterpriseMembership.objects.filter(
        user=actor, enterprise=enterprise, role=EnterpriseMembership.Role.OWNER
    ).exists()


@transaction.atomic
def invitation_send(*, enterprise, email: str, role: str, actor, site_url: str) -> Invitation:
    """Invite someone by e-mail to act for the enterprise; the link works once, for a week."""
    if not may_invite(actor, enterprise):
        raise ValidationError(_("You may not invite people to this enterprise."))
    email = canonical_email(email)
    if role not in EnterpriseMembership.Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if EnterpriseMembership.objects.filter(enterprise=enterprise, user__email=email).exists():
        raise ValidationError({"email": _("This person already acts for the enterprise.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        enterprise=enterprise,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    link = site_url.rstrip("/") + reverse("portal:invitation", args=[token])
    body = render_to_string(
        "portal/email/invitation.txt",
        {"invitation": invitation, "link": link, "days": INVITATION_DAYS},
    )
    subject = _("Invitation to NaikKelas for %(enterprise)s") % {"enterprise": enterprise.name}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation of a link, or None when unknown, used or expired."""
    return (
        Invitation.objects.select_related("enterprise")
        .filter(token_hash=_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user=None, password: str = "", full_name: str = ""):
    """Use an invitation: a new account with the password chosen, or the signed-in account
    of the invited address; either way a membership of the enterprise. Returns the user."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_hash=_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation has been used or has expired."))
    if user is None:
        if User.objects.email_taken(invitation.email):
            raise ValidationError(_("An account with this address exists: sign in first."))
        user = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name
        )
    elif canonical_email(user.email) != invitation.email:
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    EnterpriseMembership.objects.get_or_create(
        user=user, enterprise=invitation.enterprise, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


@transaction.atomic
def products_save(*, formset, actor) -> None:
    """Save an owner's product list (names and HS codes) with the enterprise's history."""
    enterprise = formset.instance
    if not EnterpriseMembership.objects.filter(
        user=actor, enterprise=enterprise, role=EnterpriseMembership.Role.OWNER
    ).exists():
        raise ValidationError(_("Only an owner of the enterprise can change its products."))
    formset.save()
