"""What the certification admin pages share."""

from __future__ import annotations

from django.db import transaction

from certifications import selectors


def cases_managed(request):
    """The requests the user's office assists (every request for platform admins)."""
    return selectors.cases_managed_by(request.user)


def dry_run(action):
    """What ``action`` (a service call) would do, undone: it runs in a transaction that is
    rolled back. A refusal is raised as it would be."""
    with transaction.atomic():
        result = action()
        transaction.set_rollback(True)
    return result


def page_context(model_admin, request, title: str, **extra) -> dict:
    """The context every custom page of a certification admin starts from."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **extra,
    }
