"""Celery entry points of the office tools: each calls a service."""

from celery import shared_task

from office import background


@shared_task(name="office.tasks.import_confirm")
def import_confirm(*, user_id: int, office_id: int, token: str, filename: str) -> str:
    """Write a confirmed import too large for a web request (safe to run twice: a second run
    finds every row unchanged, and a finished import is not run again)."""
    return background.import_confirm_run(
        user_id=user_id, office_id=office_id, token=token, filename=filename
    )


@shared_task(name="office.tasks.import_preview")
def import_preview(*, user_id: int, office_id: int, token: str, filename: str) -> str:
    """Plan an import too large for a web request and keep its preview (safe to run twice:
    a planned preview is not planned again)."""
    return background.import_preview_run(
        user_id=user_id, office_id=office_id, token=token, filename=filename
    )
