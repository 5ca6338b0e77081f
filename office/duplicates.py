"""Likely duplicate enterprises, and merging two into one.

Two records are likely the same enterprise when they share a regency and their names are
alike: by trigram similarity on PostgreSQL (pg_trgm, created by accounts' migrations), by
the name with its legal form, punctuation and case taken out elsewhere. Two records never
share an NIB (a unique constraint), so an NIB pair cannot arise.

A merge keeps one record and moves everything that points at the other to it: enrollments,
certification requests, exports, graduations, snapshots, members, products, KBLI codes and
personal-data acts. Each moved row that keeps a history gets a history row naming the merge;
the record merged away is deleted with a history row saying into which it went.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts import selectors as account_selectors
from accounts.models import Enterprise, EnterpriseMembership, KbliCode, OfficeReach, User
from office.imports import _norm

SIMILARITY = 0.6
MAX_PAIRS = 500
LEGAL_FORMS = r"\b(cv|pt|ud|pd|tbk|koperasi|kop|ikm|ukm|umkm|toko|usaha|home industri|industri)\b"
# Fields taken from the record merged away when the one kept has them empty.
FILLABLE = ["nib", "regency", "address", "sector", "owner_gender", "owner_birth_year"]


def name_key(name: str) -> str:
    """A name without legal form, punctuation, spacing or case: "CV. Kopi Jaya" -> "kopi jaya"."""
    text = re.sub(LEGAL_FORMS, " ", _norm(name))
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Pair:
    first: Enterprise
    second: Enterprise
    reason: str


def likely_duplicates(*, enterprises: QuerySet[Enterprise], limit: int = MAX_PAIRS) -> list[Pair]:
    """Pairs of ``enterprises`` that are likely the same, in the same regency."""
    if connection.vendor == "postgresql":
        ids = _trigram_pairs(enterprises, limit)
        reason = _("similar names in the same regency")
    else:
        ids = _normalised_pairs(enterprises, limit)
        reason = _("the same name in the same regency")
    wanted = {pk for pair in ids for pk in pair}
    rows = Enterprise.objects.select_related("regency", "registered_by").in_bulk(wanted)
    return [Pair(rows[a], rows[b], reason) for a, b in ids if a in rows and b in rows]


def _normalised_pairs(enterprises: QuerySet[Enterprise], limit: int) -> list[tuple[int, int]]:
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    rows = enterprises.filter(regency__isnull=False).values_list("pk", "regency_id", "name")
    for pk, regency_id, name in rows.iterator(chunk_size=5000):
        key = name_key(name)
        if key:
            groups[(regency_id, key)].append(pk)
    pairs = []
    for members in groups.values():
        members.sort()
        for other in members[1:]:
            pairs.append((members[0], other))
            if len(pairs) >= limit:
                return pairs
    return pairs


def _trigram_pairs(enterprises: QuerySet[Enterprise], limit: int) -> list[tuple[int, int]]:
    scope_sql, scope_params = enterprises.values("pk").query.sql_with_params()
    sql = f"""
        SELECT a.id, b.id
        FROM accounts_enterprise a
        JOIN accounts_enterprise b
          ON a.regency_id = b.regency_id AND a.id < b.id
         AND similarity(lower(a.name), lower(b.name)) >= %s
        WHERE a.id IN ({scope_sql}) AND b.id IN ({scope_sql})
        ORDER BY a.id, b.id
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [SIMILARITY, *scope_params, *scope_params, limit])
        return [tuple(row) for row in cursor.fetchall()]


# --- merging ---------------------------------------------------------------------------------


@dataclass
class MergePlan:
    keep: Enterprise
    other: Enterprise
    moves: list[tuple[str, int]] = field(default_factory=list)  # (label, count)
    fills: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _related():
    """Every relation that points at an enterprise, as (model, field name); not the offices'
    reach, which follows the rows that move (accounts.reach)."""
    return [
        (rel.related_model, rel.field.name)
        for rel in Enterprise._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and rel.related_model is not OfficeReach
    ]


def merge_plan(*, keep: Enterprise, other: Enterprise) -> MergePlan:
    """What merging ``other`` into ``keep`` would move, fill in, or be stopped by."""
    plan = MergePlan(keep=keep, other=other)
    if keep.pk == other.pk:
        plan.conflicts.append(_("Choose two different enterprises."))
        return plan
    for model, name in _related():
        count = model._default_manager.filter(**{name: other}).count()
        if count:
            plan.moves.append((str(model._meta.verbose_name_plural), count))
    for name in FILLABLE:
        if not getattr(keep, name) and getattr(other, name):
            plan.fills.append(str(Enterprise._meta.get_field(name).verbose_name))
    if keep.registered_by_id != other.registered_by_id:
        plan.conflicts.append(
            _(
                "The two enterprises are registered by different offices; a platform admin hands "
                "one over first."
            )
        )
    from cohorts.models import Enrollment, EnterpriseSnapshot, Graduation

    active = ~Q(status__in=Enrollment.INACTIVE_STATUSES)
    stages = set(
        Enrollment.objects.filter(active, enterprise=keep).values_list("stage_id", flat=True)
    )
    if Enrollment.objects.filter(active, enterprise=other, stage_id__in=stages).exists():
        plan.conflicts.append(
            _("Both take part in the same stage of a programme: withdraw one enrollment first.")
        )
    graduated = Graduation.objects.filter(revoked_at__isnull=True)
    if graduated.filter(enterprise=keep).exists() and graduated.filter(enterprise=other).exists():
        plan.conflicts.append(_("Both have graduated: revoke one graduation first."))
    moments = set(
        EnterpriseSnapshot.objects.filter(enterprise=keep).values_list("program_id", "moment")
    )
    theirs = set(
        EnterpriseSnapshot.objects.filter(enterprise=other).values_list("program_id", "moment")
    )
    if moments & theirs:
        plan.conflicts.append(
            _("Both have a snapshot of the same programme and moment: they cannot be combined.")
        )
    return plan


@transaction.atomic
def enterprise_merge(*, keep: Enterprise, other: Enterprise, actor: User) -> Enterprise:
    """Merge ``other`` into ``keep``: every related row moves, ``other`` is deleted.

    Both are locked; the plan is checked again against the rows as they are now."""
    editable = account_selectors.enterprises_editable_by(actor)
    locked = {
        e.pk: e
        for e in editable.select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")
    }
    if keep.pk not in locked or other.pk not in locked:
        raise ValidationError(_("You may only merge enterprises your office registered."))
    keep, other = locked[keep.pk], locked[other.pk]
    plan = merge_plan(keep=keep, other=other)
    if plan.conflicts:
        raise ValidationError(plan.conflicts)
    reason = (
        _("Merged: %(other)s (#%(pk)s) into %(keep)s")
        % {
            "other": other.name,
            "pk": other.pk,
            "keep": keep.name,
        }
    )[:100]
    # Unique pairs first: a member or a KBLI code both share stays once.
    shared_users = EnterpriseMembership.objects.filter(enterprise=keep).values("user_id")
    EnterpriseMembership.objects.filter(enterprise=other, user_id__in=shared_users).delete()
    shared_codes = KbliCode.objects.filter(enterprise=keep).values("code")
    KbliCode.objects.filter(enterprise=other, code__in=shared_codes).delete()
    for model, name in _related():
        rows = model._default_manager.filter(**{name: other})
        if hasattr(model, "history"):
            objects = list(rows)
            for obj in objects:
                setattr(obj, name, keep)
            if objects:
                bulk_update_with_history(
                    objects, model, [name], default_user=actor, default_change_reason=reason
                )
        else:
            rows.update(**{name: keep})
    fills = {}
    for name in FILLABLE:
        if not getattr(keep, name) and getattr(other, name):
            fills[name] = getattr(other, name)
    other._history_user = actor
    other._change_reason = reason
    other.delete()
    for name, value in fills.items():
        setattr(keep, name, value)
    keep._history_user = actor
    keep._change_reason = reason
    keep.save()
    return keep
