"""Celery entry points of the certifications app: each calls a service."""

from celery import shared_task

from certifications import services


@shared_task(name="certifications.tasks.expire_certificates")
def expire_certificates() -> int:
    """Beat entry: certificates past their expiry date are marked expired (safe to repeat)."""
    return services.certificates_expire()


@shared_task(name="certifications.tasks.run_reminder_rules")
def run_reminder_rules() -> dict:
    """Beat entry: missing documents, revisions, idle requests, expiry, surveillance."""
    from certifications import reminders

    return reminders.run_rules()
