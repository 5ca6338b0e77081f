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


@shared_task(name="cohorts.tasks.run_reminder_rules")
def run_reminder_rules() -> dict:
    """Beat entry: sessions tomorrow, two absences in a row, export follow-ups."""
    from cohorts import reminders

    return reminders.run_rules()
