"""The Celery app. The beat schedule lives here, each entry saying when it runs."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("naikkelas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every 5 minutes: seat offers whose reply deadline has passed go to the next on the list.
    "expire-seat-offers": {
        "task": "cohorts.tasks.expire_seat_offers",
        "schedule": crontab(minute="*/5"),
    },
    # Daily at 07:00 WIB: the 12-month snapshots that fell due are asked of the class's office
    # and the enterprise.
    "request-snapshot-follow-ups": {
        "task": "cohorts.tasks.request_snapshot_follow_ups",
        "schedule": crontab(hour=7, minute=0),
    },
    # Daily at 00:10 WIB: certificates whose expiry date has come are marked expired.
    "expire-certificates": {
        "task": "certifications.tasks.expire_certificates",
        "schedule": crontab(hour=0, minute=10),
    },
    # Every 5 minutes: the reminder rules write the rows that have become due (sessions
    # tomorrow, two absences, export follow-ups; missing documents, revisions, idle requests,
    # expiring certificates, surveillance). Idempotent: a row is written once per unique key.
    "run-cohort-reminder-rules": {
        "task": "cohorts.tasks.run_reminder_rules",
        "schedule": crontab(minute="*/5"),
    },
    "run-certification-reminder-rules": {
        "task": "certifications.tasks.run_reminder_rules",
        "schedule": crontab(minute="1-59/5"),
    },
    # Every 5 minutes: the funders' reports read in the last day are recomputed, so the API
    # serves none older than REPORT_SUMMARY_MAX_AGE (15 minutes).
    "refresh-report-summaries": {
        "task": "reports.tasks.refresh_summaries",
        "schedule": crontab(minute="2-59/5"),
    },
    # Every minute: rows left sending past their lease go back to waiting, then due rows are
    # handed to workers in batches (one task per batch; each batch is sent over one SMTP
    # connection). Nothing is scheduled ahead with eta/countdown: the due time is in the row.
    "dispatch-due-reminders": {
        "task": "notifications.tasks.dispatch_due_reminders",
        "schedule": crontab(minute="*"),
    },
}
