"""Reminders delivered by real Celery workers on Redis to a local SMTP sink.

Printed, not asserted:
- messages per second, workers vs a plain smtplib loop over one connection to the same sink
  (a throughput: target ratio >= 0.8);
- SMTP connections the workers opened (one per batch);
- the dispatcher's peak Python memory handing out 2,000 and 20,000 due rows.

Needs PostgreSQL (DATABASE_URL; workers share the database) and redis-server; QUICK=1 runs
2,000 reminders only.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import subprocess
import sys
import time
import tracemalloc
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REDIS_PORT = free_port()
QUEUE = f"nk-bench-reminders-{os.getpid()}"
os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
os.environ.setdefault("REMINDER_BATCH_SIZE", "200")

from bench.harness import QUICK, header, record, setup_django, test_database  # noqa: E402


class Sink:
    def __init__(self):
        self.messages = 0
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


def make_reminders(count: int) -> None:
    from django.utils import timezone

    from accounts.models import User
    from notifications.models import Reminder

    users = [
        User.objects.create_user(email=f"peserta{i}@bench.test", password=None) for i in range(50)
    ]
    due = timezone.now() - timezone.timedelta(minutes=1)
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind="bench",
                recipient=users[i % len(users)],
                unique_key=f"bench:{count}:{i}",
                title=f"Pengingat {i}",
                body="Kelas Anda mengadakan pertemuan besok pukul 09.00 WIB. " * 4,
                due_at=due,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def smtplib_floor(port: int, count: int) -> float:
    """Messages per second of a plain loop over one connection."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            message = EmailMessage()
            message["From"] = "noreply@naikkelas.test"
            message["To"] = f"peserta{i % 50}@bench.test"
            message["Subject"] = f"Pengingat {i}"
            message["Message-ID"] = f"<bench.{i}@naikkelas.test>"
            message.set_content("Kelas Anda mengadakan pertemuan besok pukul 09.00 WIB. " * 4)
            smtp.send_message(message)
    return count / (time.perf_counter() - start)


def dispatch_peak_mb() -> float:
    from notifications.tasks import dispatch_due_reminders

    tracemalloc.start()
    dispatch_due_reminders()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1_000_000


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/reminders.py: skipped, needs DATABASE_URL on PostgreSQL")
        return
    if shutil.which("redis-server") is None:
        print("bench/reminders.py: skipped, needs redis-server")
        return
    from aiosmtpd.controller import Controller

    redis = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    setup_django()
    header()
    workers = []
    try:
        with test_database():
            from django.db import connection

            from accounts.models import User
            from notifications.models import Reminder

            db = connection.settings_dict
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")},
                "DATABASE_URL": (
                    f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{db['NAME']}"
                ),
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp_port),
            }
            sizes = [2_000] if QUICK else [2_000, 20_000]
            for count in sizes:
                Reminder.objects.all().delete()
                User.objects.filter(email__endswith="@bench.test").delete()
                make_reminders(count)
                floor = smtplib_floor(smtp_port, count)
                sink.messages = sink.sessions = 0
                if not workers:
                    for _ in range(2):
                        workers.append(
                            subprocess.Popen(
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
                                env=env,
                            )
                        )
                    time.sleep(5)  # the workers connect before the clock starts
                start = time.perf_counter()
                peak = dispatch_peak_mb()
                while Reminder.objects.filter(status=Reminder.Status.SENT).count() < count:
                    if time.perf_counter() - start > 900:
                        break
                    time.sleep(0.2)
                rate = count / (time.perf_counter() - start)
                record(
                    f"reminders: {count:,} by 2 workers vs smtplib loop",
                    rate,
                    floor,
                    kind="throughput",
                    target=0.8,
                    unit="msg/s",
                )
                record(
                    f"reminders: SMTP connections for {count:,}",
                    sink.sessions,
                    None,
                    kind="measure",
                    unit="conn",
                    note=f"batch {os.environ['REMINDER_BATCH_SIZE']}",
                )
                record(
                    f"reminders: dispatcher peak memory at {count:,}",
                    peak,
                    None,
                    kind="measure",
                    unit="MB",
                )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        controller.stop()
        redis.terminate()


if __name__ == "__main__":
    main()
