"""Celery entry points of the certifications app: each calls a service."""

from celery import shared_task

from certifications import services


@shared_task(name="certifications.tasks.expire_certificates")
def expire_certificates() -> int:
    """Beat entry: certificates past their expiry date are marked expired (safe to repeat)."""
    return services.certificates_expire()
