"""Reminders leave through a real SMTP server and a real Celery worker."""

import datetime as dt
import os
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from notifications import services
from notifications.models import Reminder
from tests.conftest import free_port, need

ROOT = Path(__file__).resolve().parents[2]


def request_reminder(user, key="offer-1", due=None):
    return services.reminder_request(
        kind="seat_offer",
        recipient=user,
        subject_object=user,
        unique_key=key,
        title="Tawaran kuota",
        body="Anda mendapat tawaran kuota.",
        due_at=due,
    )


def test_request_is_idempotent_per_unique_key(participant_a):
    first = request_reminder(participant_a)
    second = request_reminder(participant_a)
    assert first.pk == second.pk
    assert Reminder.objects.count() == 1


def test_cancel_only_touches_pending_reminders_of_the_subject(participant_a, participant_b):
    request_reminder(participant_a, key="a")
    request_reminder(participant_b, key="b")
    assert services.reminder_cancel(subject_object=participant_a) == 1
    assert Reminder.objects.get(unique_key="a").status == Reminder.Status.CANCELLED
    assert Reminder.objects.get(unique_key="b").status == Reminder.Status.PENDING


def test_only_due_reminders_are_picked(participant_a):
    now = timezone.now()
    due = request_reminder(participant_a, key="due", due=now - dt.timedelta(minutes=1))
    request_reminder(participant_a, key="later", due=now + dt.timedelta(days=1))
    assert services.reminders_due(now=now) == [due.pk]


def test_sending_twice_sends_once(participant_a, mailoutbox):
    reminder = request_reminder(participant_a)
    assert services.reminder_send(reminder_id=reminder.pk) is True
    assert services.reminder_send(reminder_id=reminder.pk) is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"].startswith("<offer-1@")
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.attempts == 1


@pytest.mark.services
def test_reminder_goes_out_through_a_real_smtp_server(participant_a, settings, smtp_server):
    port, handler = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    reminder = request_reminder(participant_a, key="smtp-1")
    assert services.reminder_send(reminder_id=reminder.pk)
    assert len(handler.messages) == 1
    message = message_from_bytes(handler.messages[0].content)
    assert message["To"] == participant_a.email
    assert message["Message-ID"].startswith("<smtp-1@")


@pytest.mark.services
def test_failed_delivery_keeps_the_reminder_for_another_try(participant_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    reminder = request_reminder(participant_a, key="smtp-down")
    assert services.reminder_send(reminder_id=reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.attempts == 1
    assert reminder.last_error


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


@pytest.mark.services
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_due_reminders(participant_a, tmp_path):
    """Beat's job, run by a real `celery worker` on Redis against the test database."""
    need(
        django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "the worker test needs PostgreSQL, shared between processes",
    )
    broker = os.environ.get("CELERY_BROKER_URL", "")
    need(
        broker.startswith("redis://") and redis_reachable(broker),
        "the worker test needs CELERY_BROKER_URL pointing at a running Redis",
    )
    # A Redis database of this run's own, so parallel runs never share a queue.
    base = broker.rsplit("/", 1)[0] if broker.count("/") > 2 else broker
    run_broker = f"{base}/{(os.getpid() % 12) + 3}"
    request_reminder(participant_a, key="worker-1", due=timezone.now() - dt.timedelta(minutes=1))
    db = django_settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    mail_dir = tmp_path / "mail"  # the file backend's folder under VAR_DIR
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": run_broker,
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_TASK_DEFAULT_QUEUE": f"nk-test-{os.getpid()}",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env={k: v for k, v in env.items() if not k.startswith("EMAIL_")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        send = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup();"
                "from notifications.tasks import dispatch_due_reminders;"
                "dispatch_due_reminders.delay()",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert send.returncode == 0, send.stderr
        deadline = time.monotonic() + 60
        reminder = Reminder.objects.get(unique_key="worker-1")
        while time.monotonic() < deadline and reminder.status != Reminder.Status.SENT:
            time.sleep(0.5)
            reminder.refresh_from_db()
        assert reminder.status == Reminder.Status.SENT, "the worker did not send the reminder"
        assert any(mail_dir.iterdir())
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
