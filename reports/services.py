"""Writes of the reports app: issuing API keys, logging enterprise-level pulls, freezing
snapshots."""

from __future__ import annotations

import datetime as dt

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import Funder, TradeOffice, User
from reports.models import EnterpriseDataPull, FunderAPIKey, ReportSnapshot


@transaction.atomic
def api_key_issue(
    *, funder: Funder, name: str, expires: dt.date | None = None
) -> tuple[FunderAPIKey, str]:
    """A new key for the funder; the plain key is returned once and never stored."""
    expiry = None
    if expires is not None:
        expiry = timezone.make_aware(dt.datetime.combine(expires, dt.time.max))
    return FunderAPIKey.objects.create_key(funder=funder, name=name, expiry_date=expiry)


def api_key_touch(*, api_key: FunderAPIKey) -> None:
    """Record the key's last use (at most once a minute, in one guarded statement)."""
    now = timezone.now()
    FunderAPIKey.objects.filter(pk=api_key.pk).exclude(
        last_used_at__gt=now - dt.timedelta(minutes=1)
    ).update(last_used_at=now)


def enterprise_data_pull_log(
    *, api_key: FunderAPIKey | None, user: User | None, endpoint: str, query: str
) -> EnterpriseDataPull:
    return EnterpriseDataPull.objects.create(
        api_key=api_key,
        user=user if user is not None and user.is_authenticated else None,
        endpoint=endpoint[:100],
        query=query[:500],
    )


def _jsonable(value):
    import json

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@transaction.atomic
def report_snapshot_create(
    *,
    name: str,
    summary: dict,
    filters: dict,
    funder: Funder | None,
    office: TradeOffice | None,
    actor: User | None,
    api_key: FunderAPIKey | None,
) -> ReportSnapshot:
    """Freeze a summary as it reads now, under a name."""
    return ReportSnapshot.objects.create(
        name=name,
        data=_jsonable(summary),
        filters=_jsonable(filters),
        funder=funder,
        office=office,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_by_key=api_key,
    )
