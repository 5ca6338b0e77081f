"""A confirmed import too large for a web request runs in the Celery worker.

Its state is a small JSON file beside the uploaded file in the private storage, which the web
and the worker share (the cache may be per process in development): queued, running with
rows written of rows to write, done with the counts, or failed with the reason.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import TradeOffice, User
from office import imports

BACKGROUND_ROWS = 5_000  # a confirm with more rows than this runs in the worker


def pending_name(user_id: int, token: str) -> str:
    return f"imports/{user_id}/{token}"


def status_name(user_id: int, token: str) -> str:
    return f"imports/{user_id}/{token}.status.json"


def status_write(user_id: int, token: str, **state) -> None:
    storage = storages["private"]
    name = status_name(user_id, token)
    if storage.exists(name):
        storage.delete(name)
    storage.save(name, ContentFile(json.dumps(state).encode()))


def status_read(user_id: int, token: str) -> dict | None:
    storage = storages["private"]
    name = status_name(user_id, token)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        return json.loads(handle.read().decode())


def import_confirm_enqueue(*, user: User, office: TradeOffice, token: str, filename: str) -> None:
    """Mark the import queued and hand it to the worker once the request's transaction ends."""
    from office.tasks import import_confirm

    status_write(user.pk, token, state="queued", done=0, total=0, filename=filename)
    transaction.on_commit(
        lambda: import_confirm.delay(
            user_id=user.pk, office_id=office.pk, token=token, filename=filename
        )
    )


def import_confirm_run(*, user_id: int, office_id: int, token: str, filename: str) -> str:
    state = status_read(user_id, token) or {}
    if state.get("state") == "done":
        return "done"
    storage = storages["private"]
    name = pending_name(user_id, token)
    if not storage.exists(name):
        status_write(user_id, token, state="failed", error=_("The uploaded file is gone."))
        return "failed"
    with storage.open(name, "rb") as handle:
        data = handle.read()
    user = User.objects.get(pk=user_id)
    office = TradeOffice.objects.get(pk=office_id)
    records = imports.read_rows(data=data, filename=token)
    status_write(user_id, token, state="running", done=0, total=len(records), filename=filename)

    def progress(done: int, total: int) -> None:
        status_write(user_id, token, state="running", done=done, total=total, filename=filename)

    try:
        result = imports.import_apply(
            records=records, office=office, actor=user, filename=filename, progress=progress
        )
    except ValidationError as error:
        status_write(
            user_id, token, state="failed", error=" ".join(error.messages), filename=filename
        )
        return "failed"
    status_write(
        user_id,
        token,
        state="done",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        filename=filename,
    )
    storage.delete(name)
    return "done"


PREVIEW_ROWS = 300  # rows of a background preview kept to show (errors first)


def import_preview_enqueue(*, user: User, office: TradeOffice, token: str, filename: str) -> None:
    """Mark the preview queued and hand it to the worker once the request's transaction ends."""
    from office.tasks import import_preview

    status_write(
        user.pk, token, state="planning", filename=filename, office=office.pk, total=0, done=0
    )
    transaction.on_commit(
        lambda: import_preview.delay(
            user_id=user.pk, office_id=office.pk, token=token, filename=filename
        )
    )


def import_preview_run(*, user_id: int, office_id: int, token: str, filename: str) -> str:
    """Plan a large import in the worker and keep what the preview page shows."""
    state = status_read(user_id, token) or {}
    if state.get("state") not in (None, "planning"):
        return state.get("state", "")
    storage = storages["private"]
    name = pending_name(user_id, token)
    if not storage.exists(name):
        status_write(user_id, token, state="failed", error=_("The uploaded file is gone."))
        return "failed"
    with storage.open(name, "rb") as handle:
        data = handle.read()
    user = User.objects.get(pk=user_id)
    office = TradeOffice.objects.get(pk=office_id)
    with translation.override(user.preferred_language or None):
        records = imports.read_rows(data=data, filename=token)
        plan = imports.import_plan(records=records, office=office)
        shown = sorted(plan.rows, key=lambda row: (row.status != "error", row.line))
        rows = [
            {
                "line": row.line,
                "status": row.status,
                "status_label": row.status_label,
                "name": row.name,
                "nib": row.nib,
                "errors": row.errors,
                "changes": imports.change_labels(row),
            }
            for row in shown[:PREVIEW_ROWS]
        ]
    status_write(
        user_id,
        token,
        state="planned",
        filename=filename,
        office=office.pk,
        counts=plan.counts,
        has_errors=plan.has_errors,
        rows=rows,
        hidden_rows=max(len(shown) - PREVIEW_ROWS, 0),
    )
    return "planned"
