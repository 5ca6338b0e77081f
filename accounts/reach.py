"""Which offices reach which enterprises: the rows of OfficeReach, kept in step with the rows
that grant them.

An office's staff read an enterprise the office registered or one taking part in one of its
programmes. Asking that of every row of a national list costs a pass over every enrollment of
the office; one row per (office, enterprise) pair turns the question into one index probe.

Each app names what grants reach (``register_source``: given enterprise ids, the
(office id, enterprise id) pairs its rows grant) and which of its models move it
(``keep``: a model whose rows, when created, changed in a ``reach_fields`` field or deleted,
have their enterprises' pairs computed again). ``ReachQuerySet`` does the same for
``bulk_create`` and ``update``, so seeds and imports keep the pairs as a form does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

Source = Callable[[Collection[int]], Iterable[tuple[int, int]]]
_sources: list[Source] = []
BATCH = 2000


def register_source(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def refresh(enterprise_ids: Iterable[int | None], *, add: bool = True) -> None:
    """Make the enterprises' pairs what their sources grant now: add the missing, drop the
    ones nothing grants any more. A deletion only drops (``add=False``): it grants nothing, and
    inside a cascade the enterprise itself may be about to go."""
    from accounts.models import Enterprise, OfficeReach

    ids = sorted({pk for pk in enterprise_ids if pk is not None})
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            # One refresh of an enterprise at a time: a deletion and a creation side by side
            # would otherwise each read the other's rows as they were.
            locked = Enterprise.objects.select_for_update().filter(pk__in=batch).order_by("pk")
            list(locked.values_list("pk"))
            wanted = {pair for source in _sources for pair in source(batch)}
            have = set(
                OfficeReach.objects.filter(enterprise_id__in=batch).values_list(
                    "office_id", "enterprise_id"
                )
            )
            for office, enterprise in have - wanted:
                OfficeReach.objects.filter(office_id=office, enterprise_id=enterprise).delete()
            if add:
                OfficeReach.objects.bulk_create(
                    [OfficeReach(office_id=o, enterprise_id=e) for o, e in wanted - have],
                    ignore_conflicts=True,
                )


class KeepsReach(models.Model):
    """A model whose rows grant reach. ``reach_fields``: the attributes (attnames) a row's
    reach depends on; ``reach_enterprises(values)``: the enterprise ids a row with these
    values concerns."""

    reach_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._reach_loaded = {name: instance.__dict__.get(name) for name in cls.reach_fields}
        return instance

    def reach_values(self) -> dict:
        return {name: getattr(self, name) for name in self.reach_fields}

    @classmethod
    def reach_enterprises(cls, values: dict) -> set[int]:
        raise NotImplementedError


class ReachQuerySet(models.QuerySet):
    """bulk_create and update of a KeepsReach model refresh the pairs they concern."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        refresh(pk for obj in created for pk in obj.reach_enterprises(obj.reach_values()))
        return created

    def update(self, **kwargs):
        """An update that may move reach (bulk_update's too) refreshes the enterprises of the
        rows as they were and as they are."""
        fields = self.model.reach_fields
        if not any(name in fields or f"{name}_id" in fields for name in kwargs):
            return super().update(**kwargs)
        with transaction.atomic():
            before = list(self.values("pk", *fields))
            count = super().update(**kwargs)
            moved = self.model._base_manager.filter(pk__in=[row["pk"] for row in before])
            ids: set[int] = set()
            for values in [*before, *moved.values(*fields)]:
                ids |= self.model.reach_enterprises(values)
            refresh(ids)
        return count


def _saved(sender, instance, created, raw, update_fields, **kwargs):
    if raw:
        return
    fields = sender.reach_fields
    if update_fields is not None and not any(
        name in update_fields or name.removesuffix("_id") in update_fields for name in fields
    ):
        return
    loaded = getattr(instance, "_reach_loaded", None)
    now = instance.reach_values()
    if created or loaded is None:
        ids = instance.reach_enterprises(now)
    elif loaded != now:
        ids = instance.reach_enterprises(now) | instance.reach_enterprises(loaded)
    else:
        return
    refresh(ids)
    instance._reach_loaded = now


def _deleted(sender, instance, **kwargs):
    refresh(instance.reach_enterprises(instance.reach_values()), add=False)


def keep(model: type[KeepsReach]) -> None:
    """Refresh the pairs when a row of ``model`` is created, moved or deleted."""
    post_save.connect(_saved, sender=model, dispatch_uid=f"reach-saved-{model._meta.label}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"reach-deleted-{model._meta.label}")
