"""Reminders delivered by a real Celery worker on Redis to a local SMTP sink.

Printed, not asserted:
- messages per second from the moment the dispatcher is asked to hand the due rows out until
  every row is marked sent, against a plain smtplib loop over one connection to the same sink
  (a throughput: target ratio >= 0.8);
- SMTP connections the worker opened (one per batch);
- the dispatcher's peak resident memory handing out 2,000 and 20,000 due rows.

Like with like:
- the worker is the production one (docker-compose.yml): one `celery worker --concurrency=2`
  (prefork), DEBUG off, the default batch size (REMINDER_BATCH_SIZE, 100), already warm (it
  has sent a first batch, as a long-running worker has);
- the dispatcher runs in a process of its own, as beat does, and is asked once;
- the floor's loop runs in a process of its own too (not sharing the sink's interpreter) and
  sends the message the worker sends: the same multipart text + HTML, rendered once from the
  reminder templates, built anew for every recipient with the standard library;
- the dispatcher's memory is measured after the timed runs, one fresh dispatcher process per
  size (the worker stopped, the published batches thrown away).

Needs PostgreSQL (DATABASE_URL; the worker shares the database) and redis-server; QUICK=1
runs 2,000 reminders only.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import smtplib
import socket
import subprocess
import sys
import time
from email.charset import Charset
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
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
os.environ.pop("REMINDER_BATCH_SIZE", None)  # the production default

from bench.harness import QUICK, header, record, setup_django, test_database  # noqa: E402

# A long-lived dispatcher, as beat is: asked on stdin, it answers one JSON line with the rows
# it handed out and its peak resident memory so far (kB).
DISPATCHER = """
import json, resource, sys
import django
django.setup()
from notifications.tasks import dispatch_due_reminders
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    handed = dispatch_due_reminders()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"handed": handed, "peak_kb": peak}), flush=True)
"""


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


def make_reminders(count: int, tag: str) -> None:
    from django.utils import timezone

    from accounts.models import User
    from notifications.models import Reminder

    users = list(User.objects.filter(email__endswith="@bench.test").order_by("pk"))
    if not users:
        users = [
            User.objects.create_user(email=f"peserta{i}@bench.test", password=None)
            for i in range(50)
        ]
    due = timezone.now() - timezone.timedelta(minutes=1)
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind="bench",
                recipient=users[i % len(users)],
                unique_key=f"bench:{tag}:{i}",
                title=f"Pengingat {i}",
                body="Kelas Anda mengadakan pertemuan besok pukul 09.00 WIB. " * 4,
                link="/pengingat/",
                due_at=due,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def message_parts() -> dict:
    """What the worker sends a bench recipient: its text and HTML, for the floor to send."""
    from django.conf import settings

    from notifications.channels import render_email
    from notifications.models import Reminder

    sample = render_email(Reminder.objects.select_related("recipient").first())
    return {
        "from": settings.DEFAULT_FROM_EMAIL,
        "text": sample.body,
        "html": sample.alternatives[0][0],
        "size": len(sample.message().as_bytes()),
    }


def floor_message(i: int, parts: dict) -> MIMEMultipart:
    """The worker's message built with the standard library's cheapest classes (the ones
    Django's builds on; email.message.EmailMessage takes about twice as long), UTF-8 in
    8 bits as Django sends it."""
    utf8 = Charset("utf-8")
    utf8.body_encoding = None
    message = MIMEMultipart("alternative")
    message["From"] = parts["from"]
    message["To"] = f"peserta{i % 50}@bench.test"
    message["Subject"] = f"Pengingat {i}"
    message["Message-ID"] = f"<bench.{i}@naikkelas.test>"
    message.attach(MIMEText(parts["text"], "plain", utf8))
    message.attach(MIMEText(parts["html"], "html", utf8))
    return message


def smtplib_floor(port: int, count: int, parts: dict) -> float:
    """Messages per second of a plain loop over one connection (run in its own process)."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            smtp.send_message(floor_message(i, parts))
    return count / (time.perf_counter() - start)


def run_floor(port: int, count: int, parts: dict) -> tuple[float, int]:
    done = subprocess.run(
        [sys.executable, __file__, "floor", str(port), str(count)],
        input=json.dumps(parts),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    rate, size = json.loads(done.stdout)
    return rate, size


def wait_until_sent(count: int, timeout: float = 900) -> None:
    from notifications.models import Reminder

    start = time.perf_counter()
    while Reminder.objects.filter(status=Reminder.Status.SENT).count() < count:
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"not every one of {count:,} reminders was sent")
        time.sleep(0.05)


class Dispatcher:
    def __init__(self, env: dict):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DISPATCHER],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.answer()

    def ask(self, command: str) -> None:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def answer(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the dispatcher stopped")
        return json.loads(line)

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


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
    # The sink's own log (every SMTP command at DEBUG under the project's debug logging)
    # would cost the sink as much as the sending it measures.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    header()
    try:
        with test_database():
            measure(sink, smtp_port)
    finally:
        controller.stop()
        redis.terminate()


def measure(sink: Sink, smtp_port: int) -> None:
    from django.db import connection

    from notifications.models import Reminder

    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")},
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        # production settings: no query log, no development defaults
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://naikkelas.example",
    }
    sizes = [2_000] if QUICK else [2_000, 20_000]
    worker = subprocess.Popen(
        # docker-compose.yml's worker
        [sys.executable, "-m", "celery", "-A", "config", "worker"]
        + ["--loglevel=WARNING", "--concurrency=2"],
        cwd=ROOT,
        env=env,
    )
    dispatcher = Dispatcher(env)
    try:
        make_reminders(200, "warm-up")  # two batches: each worker process sends one
        dispatcher.ask("dispatch")
        dispatcher.answer()
        wait_until_sent(200)
        parts = message_parts()
        for count in sizes:
            Reminder.objects.all().delete()
            make_reminders(count, str(count))
            floor, floor_size = run_floor(smtp_port, count, parts)
            sink.messages = sink.sessions = 0
            start = time.perf_counter()
            dispatcher.ask("dispatch")
            wait_until_sent(count)
            rate = count / (time.perf_counter() - start)
            handed = dispatcher.answer()["handed"]
            record(
                f"reminders: {count:,} by the worker vs smtplib loop",
                rate,
                floor,
                kind="throughput",
                target=0.8,
                unit="msg/s",
                note=(
                    "1 worker, prefork concurrency 2 (docker-compose.yml), batch 100; floor: "
                    f"the same text+HTML ({parts['size']:,} B vs {floor_size:,} B) in its own "
                    f"process; {sink.messages - count} sent twice"
                ),
            )
            record(
                f"reminders: SMTP connections for {count:,}",
                sink.sessions,
                None,
                kind="measure",
                unit="conn",
                note=f"{handed:,} rows handed out",
            )
        worker.terminate()
        worker.wait(timeout=60)
    finally:
        dispatcher.stop()
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=60)
    dispatcher_memory(env, sizes)


def dispatcher_memory(env: dict, sizes: list[int]) -> None:
    """Peak resident memory of a fresh dispatcher handing out each size, the worker stopped."""
    import redis as redis_client

    from notifications.models import Reminder

    queue = redis_client.Redis(port=REDIS_PORT)
    peaks = {}
    for count in sizes:
        dispatcher = Dispatcher(env)
        try:
            Reminder.objects.all().delete()
            make_reminders(100, f"memory-warm-up-{count}")  # the publishing code is loaded
            dispatcher.ask("dispatch")
            before = dispatcher.answer()["peak_kb"]
            Reminder.objects.all().delete()
            make_reminders(count, f"memory-{count}")
            dispatcher.ask("dispatch")
            peaks[count] = dispatcher.answer()["peak_kb"]
        finally:
            dispatcher.stop()
            queue.flushdb()  # no worker will send these
        record(
            f"reminders: dispatcher peak memory at {count:,}",
            peaks[count] / 1000,
            peaks[sizes[0]] / 1000,
            kind="measure",
            unit="MB",
            note=(
                f"resident, a fresh dispatcher; {(peaks[count] - before) / 1000:+.1f} MB over "
                f"its peak before handing these out; floor: at {sizes[0]:,}"
            ),
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["floor"]:
        port, count = int(sys.argv[2]), int(sys.argv[3])
        parts = json.loads(sys.stdin.read())
        rate = smtplib_floor(port, count, parts)
        print(json.dumps([rate, len(floor_message(0, parts).as_bytes())]))
    else:
        main()
