"""tasks of the reports app."""

from celery import shared_task

from reports import summaries


@shared_task(ignore_result=True)
def refresh_summaries() -> dict:
    """Recompute the report summaries read in the last day (beat, every five minutes)."""
    return summaries.refresh()
