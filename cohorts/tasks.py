"""Celery entry points of the cohorts app: each loads what it needs and calls a service."""

from celery import shared_task

from cohorts.services import seats, snapshots


@shared_task(name="cohorts.tasks.expire_seat_offers")
def expire_seat_offers() -> int:
    """Beat entry: seat offers past their reply deadline pass to the next on the list."""
    return seats.offers_expire()


@shared_task(name="cohorts.tasks.request_snapshot_follow_ups")
def request_snapshot_follow_ups() -> int:
    """Beat entry: ask the office and the enterprise for the 12-month figures that fell due."""
    return snapshots.snapshot_follow_ups_request()
