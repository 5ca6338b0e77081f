"""Real parts: `celery worker` processes on a Redis the test starts, sending to an SMTP server
the test starts (aiosmtpd), dispatched by a fast beat loop. Skipped with a reason on a bare
machine; required in CI (REQUIRE_SERVICES=1)."""

import datetime as dt
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from notifications import services
from notifications.models import Reminder
from tests.conftest import free_port, need

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The dispatcher as beat runs it, only every half second instead of every minute.
DISPATCH_LOOP = (
    "import time, django; django.setup()\n"
    "from notifications.tasks import dispatch_due_reminders\n"
    "while True:\n"
    "    dispatch_due_reminders()\n"
    "    time.sleep(0.5)\n"
)


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def real_services():
    need(
        django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "the worker tests need PostgreSQL, shared between processes",
    )
    need(shutil.which("redis-server") is not None, "redis-server is not installed")


@pytest.fixture
def redis_broker(real_services, tmp_path):
    """A Redis of the test's own on a free port: (url, start, stop)."""
    port = free_port()
    state = {}

    def start():
        state["proc"] = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import redis

                if redis.Redis(port=port, socket_connect_timeout=0.5).ping():
                    return
            except Exception:
                time.sleep(0.1)
        pytest.fail("redis-server did not start")

    def stop():
        proc = state.pop("proc", None)
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    stop()


class Fleet:
    """Workers and dispatchers started with one environment; all stopped at the end."""

    def __init__(self, env):
        self.env = env
        self.procs: list[subprocess.Popen] = []

    def worker(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(proc)
        return proc

    def dispatcher(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", DISPATCH_LOOP],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(proc)
        return proc

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def fleet_env(tmp_path, smtp_server):
    port, _handler = smtp_server
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "CELERY_"))}
    return {
        **base,
        "DATABASE_URL": database_url(),
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_TASK_DEFAULT_QUEUE": f"nk-reminders-{os.getpid()}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "5",
        "REMINDER_BATCH_SIZE": "10",
        "REMINDER_LEASE_SECONDS": "4",
    }


@pytest.fixture
def fleet(fleet_env):
    fleets = []

    def make(**extra):
        made = Fleet({**fleet_env, **extra})
        fleets.append(made)
        return made

    yield make
    for made in fleets:
        made.stop()


def due_reminders(users, count):
    past = timezone.now() - dt.timedelta(minutes=1)
    for i in range(count):
        user = users[i % len(users)]
        services.reminder_request(
            kind="test.kind",
            recipient=user,
            subject_object=user,
            unique_key=f"real-{i}",
            title=f"Pengingat {i}",
            body=f"Isi {i}",
            due_at=past,
        )


def wait_for(condition, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def all_sent(count):
    return lambda: Reminder.objects.filter(status=Reminder.Status.SENT).count() == count


def received(handler):
    """Subject → the Message-IDs it was received with (one entry per message received)."""
    seen = defaultdict(list)
    for envelope in list(handler.messages):
        message = message_from_bytes(envelope.content)
        seen[str(message["Subject"])].append(message["Message-ID"])
    return seen


def test_two_workers_and_two_dispatchers_send_each_reminder_once_in_batches(
    participant_a, participant_b, redis_broker, smtp_server, fleet
):
    _port, handler = smtp_server
    broker, _start, _stop = redis_broker
    due_reminders([participant_a, participant_b], 40)
    group = fleet(CELERY_BROKER_URL=broker)
    group.worker(), group.worker()
    group.dispatcher(), group.dispatcher()
    assert wait_for(all_sent(40), timeout=25), "not every reminder was sent"
    seen = received(handler)
    assert len(seen) == 40
    assert all(len(ids) == 1 for ids in seen.values()), "a reminder was sent twice"
    assert handler.sessions <= math.ceil(40 / 10) * 2  # one SMTP connection per batch


def test_a_worker_killed_mid_batch_loses_nothing(
    participant_a, participant_b, redis_broker, smtp_server, fleet
):
    _port, handler = smtp_server
    handler.delay = 0.1  # a batch of 10 takes about a second
    broker, _start, _stop = redis_broker
    due_reminders([participant_a, participant_b], 30)
    group = fleet(CELERY_BROKER_URL=broker)
    first = group.worker()
    group.dispatcher()
    assert wait_for(lambda: len(handler.messages) >= 3, timeout=20)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert Reminder.objects.filter(status=Reminder.Status.SENDING).exists()
    group.worker()  # a new worker; the dispatcher takes the abandoned rows back after the lease
    assert wait_for(all_sent(30), timeout=25), "a reminder was lost"
    seen = received(handler)
    assert set(seen) == {f"Pengingat {i}" for i in range(30)}
    for subject, ids in seen.items():
        assert len(set(ids)) == 1, f"{subject} was resent with another Message-ID"
    # only what the killed worker had accepted but not yet marked sent goes out twice
    assert sum(len(ids) - 1 for ids in seen.values()) <= services.SENT_FLUSH_EVERY


def test_with_the_broker_down_rows_wait_and_leave_once_it_is_back(
    participant_a, redis_broker, smtp_server, fleet
):
    _port, handler = smtp_server
    broker, start, stop = redis_broker
    due_reminders([participant_a], 5)
    stop()
    group = fleet(CELERY_BROKER_URL=broker)
    began = time.monotonic()
    once = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from notifications.tasks import dispatch_due_reminders as d; print(d())",
        ],
        cwd=ROOT,
        env=group.env,
        capture_output=True,
        text=True,
        timeout=60,  # only catches a hang
    )
    assert once.returncode == 0, once.stderr
    assert once.stdout.strip() == "0"  # nothing handed out
    assert time.monotonic() - began < 45
    assert Reminder.objects.filter(status=Reminder.Status.PENDING, dispatched_at=None).count() == 5
    start()
    group.worker()
    group.dispatcher()
    assert wait_for(all_sent(5), timeout=25)
    assert len(handler.messages) == 5
