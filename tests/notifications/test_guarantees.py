"""Delivery guarantees: claim with a lease, backoff in the row, recovery, batches, opt-out."""

import datetime as dt
import math
import os
import subprocess
import sys
import threading
from collections import defaultdict
from email import message_from_bytes
from pathlib import Path

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import kinds, preferences, services, tasks
from notifications.models import Reminder
from tests.conftest import free_port, need_postgres

ROOT = Path(__file__).resolve().parents[2]


def make(user, key, due=None, kind="test.kind", link=""):
    return services.reminder_request(
        kind=kind,
        recipient=user,
        subject_object=user,
        unique_key=key,
        title=f"Judul {key}",
        body=f"Isi {key}",
        due_at=due or timezone.now() - dt.timedelta(minutes=1),
        link=link,
    )


def nothing_listens(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2


def test_failed_sends_move_the_due_time_by_the_backoff_then_fail(participant_a, settings):
    nothing_listens(settings)
    reminder = make(participant_a, "down")
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        before = timezone.now()
        assert services.reminders_send_batch(ids=[reminder.pk]) == 0
        reminder.refresh_from_db()
        if reminder.status == Reminder.Status.PENDING:
            waits.append(round((reminder.due_at - before).total_seconds() / 60))
            reminder.due_at = timezone.now() - dt.timedelta(seconds=1)  # let time pass
            reminder.save(update_fields=["due_at"])
    assert waits == list(services.BACKOFF_MINUTES)
    assert sum(waits) >= 24 * 60  # a day-long outage loses nothing
    assert reminder.status == Reminder.Status.FAILED
    assert reminder.attempts == services.MAX_ATTEMPTS
    assert reminder.last_error


def test_a_rescheduled_row_is_not_retried_before_its_new_time(participant_a, settings):
    nothing_listens(settings)
    reminder = make(participant_a, "later")
    services.reminders_send_batch(ids=[reminder.pk])
    assert services.reminders_take_batch() == []
    assert services.reminders_send_batch(ids=[reminder.pk]) == 0
    reminder.refresh_from_db()
    assert reminder.attempts == 1


def test_rows_abandoned_past_their_lease_are_taken_back(participant_a, mailoutbox, eager):
    reminder = make(participant_a, "dead-worker")
    assert services.reminders_claim(ids=[reminder.pk]) == [reminder.pk]
    # the worker dies here: the row stays in sending, a redelivered task leaves it alone
    assert services.reminders_send_batch(ids=[reminder.pk]) == 0
    assert services.reminders_recover() == 0  # lease still running
    Reminder.objects.filter(pk=reminder.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.reminders_recover() == 1
    assert tasks.dispatch_due_reminders() == 1  # eager in tests: the batch is sent
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert len(mailoutbox) == 1


def test_dispatching_twice_sends_each_row_once(participant_a, participant_b, mailoutbox, eager):
    for i in range(3):
        make(participant_a, f"a{i}")
        make(participant_b, f"b{i}")
    make(participant_a, "future", due=timezone.now() + dt.timedelta(hours=1))
    assert tasks.dispatch_due_reminders() == 6
    assert tasks.dispatch_due_reminders() == 0
    assert len(mailoutbox) == 6
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 6
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 6
    assert Reminder.objects.get(unique_key="future").status == Reminder.Status.PENDING


def test_a_handed_out_batch_is_not_handed_out_again_within_the_lease(participant_a, settings):
    settings.REMINDER_BATCH_SIZE = 2
    for i in range(5):
        make(participant_a, f"r{i}")
    first, second, third = (services.reminders_take_batch() for _ in range(3))
    assert [len(first), len(second), len(third)] == [2, 2, 1]
    assert services.reminders_take_batch() == []
    later = timezone.now() + services.lease() + dt.timedelta(seconds=1)
    assert len(services.reminders_take_batch(now=later, size=10)) == 5  # never picked up


def test_a_batch_goes_over_one_smtp_connection(participant_a, participant_b, smtp_settings):
    ids = [make(u, f"{u.pk}-{i}").pk for u in (participant_a, participant_b) for i in range(5)]
    assert services.reminders_send_batch(ids=ids) == 10
    assert len(smtp_settings.messages) == 10
    assert smtp_settings.sessions == 1
    ids_seen = {message_from_bytes(m.content)["Message-ID"] for m in smtp_settings.messages}
    assert len(ids_seen) == 10


def test_a_refused_message_does_not_stop_the_batch(participant_a, participant_b, smtp_settings):
    smtp_settings.refuse.add(participant_a.email)
    refused = make(participant_a, "refused")
    fine = make(participant_b, "fine")
    assert services.reminders_send_batch(ids=[refused.pk, fine.pk]) == 1
    refused.refresh_from_db()
    fine.refresh_from_db()
    assert fine.status == Reminder.Status.SENT
    assert refused.status == Reminder.Status.PENDING
    assert refused.due_at > timezone.now()
    assert "550" in refused.last_error


def test_resend_and_cancel(participant_a, settings):
    nothing_listens(settings)
    failed = make(participant_a, "failed")
    Reminder.objects.filter(pk=failed.pk).update(status=Reminder.Status.FAILED, attempts=8)
    waiting = make(participant_a, "waiting")
    assert services.reminders_resend(ids=[failed.pk, waiting.pk]) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Reminder.Status.PENDING, 0)
    assert services.reminders_cancel(ids=[failed.pk, waiting.pk]) == 2
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}


def test_opted_out_kinds_are_not_sent_but_essential_ones_are(participant_a, mailoutbox):
    preferences.preference_set(user=participant_a, muted=[kinds.SESSION_TOMORROW, kinds.SEAT_OFFER])
    assert preferences.muted_kinds(user=participant_a) == [kinds.SESSION_TOMORROW]
    optional = make(participant_a, "session", kind=kinds.SESSION_TOMORROW)
    essential = make(participant_a, "offer", kind=kinds.SEAT_OFFER)
    assert services.reminders_send_batch(ids=[optional.pk, essential.pk]) == 1
    optional.refresh_from_db()
    assert optional.status == Reminder.Status.CANCELLED
    assert [m.subject for m in mailoutbox] == ["Judul offer"]


@pytest.mark.parametrize(
    ("language", "greeting", "button"),
    [("id", "Halo", "Buka di NaikKelas"), ("en", "Hello", "Open in NaikKelas")],
)
def test_the_message_speaks_the_recipients_language(
    participant_a, mailoutbox, settings, eager, language, greeting, button
):
    settings.SITE_URL = "https://naikkelas.example"
    participant_a.preferred_language = language
    participant_a.save(update_fields=["preferred_language"])
    make(participant_a, "lang", link=reverse("portal:reminders"))
    tasks.dispatch_due_reminders()
    (message,) = mailoutbox
    assert message.body.startswith(greeting)
    assert "https://naikkelas.example" + reverse("portal:reminders") in message.body
    html = message.alternatives[0][0]
    assert button in html
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_never_hand_out_a_row_twice(participant_a):
    need_postgres()
    for i in range(300):
        make(participant_a, f"c{i}")
    taken: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def run(slot):
        try:
            barrier.wait()
            while batch := services.reminders_take_batch(size=7):
                taken[slot].extend(batch)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken[0]) + len(taken[1]) == 300
    assert not set(taken[0]) & set(taken[1])


def test_accepted_messages_are_marked_sent_a_few_at_a_time(participant_a, smtp_settings):
    ids = [make(participant_a, f"m{i}").pk for i in range(25)]
    with CaptureQueriesContext(connection) as queries:
        assert services.reminders_send_batch(ids=ids) == 25
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    # one to claim, then one per SENT_FLUSH_EVERY accepted messages (the last at batch end)
    assert len(updates) == 1 + math.ceil(25 / services.SENT_FLUSH_EVERY)
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 25
    assert not Reminder.objects.filter(sent_at=None).exists()


def test_rows_accepted_before_an_error_are_marked_sent(participant_a, smtp_settings, monkeypatch):
    """Whatever ends the batch early, the messages already accepted are recorded."""
    ids = [make(participant_a, f"e{i}").pk for i in range(5)]
    real_skip = services._skip_opted_out
    seen = []

    def database_gone_on_the_fourth(row):
        seen.append(row.pk)
        if len(seen) == 4:
            raise RuntimeError("the database went away")
        return real_skip(row)

    monkeypatch.setattr(services, "_skip_opted_out", database_gone_on_the_fourth)
    with pytest.raises(RuntimeError):
        services.reminders_send_batch(ids=ids)
    assert len(smtp_settings.messages) == 3
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 3


# A worker that dies (os._exit, as under SIGKILL: no finally runs) right after the server
# accepted its n-th message, the worst moment: its unmarked messages are the ones resent.
DIES_AFTER_ACCEPTED = """
import os, sys, django
django.setup()
from notifications import channels, services
accepted = 0
send = channels.EmailChannel.send
def send_then_die(self, reminder):
    global accepted
    send(self, reminder)
    accepted += 1
    if accepted == int(sys.argv[1]):
        os._exit(9)
channels.EmailChannel.send = send_then_die
services.reminders_send_batch(ids=[int(pk) for pk in sys.argv[2].split(",")])
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("extra", [0, 3, services.SENT_FLUSH_EVERY - 1])
def test_a_killed_worker_resends_at_most_the_unmarked_window_with_the_same_message_ids(
    participant_a, smtp_server, smtp_settings, tmp_path, extra
):
    need_postgres()
    port, handler = smtp_server
    ids = [make(participant_a, f"k{i}").pk for i in range(30)]
    dies_after = services.SENT_FLUSH_EVERY + 1 + extra
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")},
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "VAR_DIR": str(tmp_path),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "5",
    }
    child = subprocess.run(
        [sys.executable, "-c", DIES_AFTER_ACCEPTED, str(dies_after), ",".join(map(str, ids))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 9, child.stderr
    assert len(handler.messages) == dies_after
    marked = Reminder.objects.filter(status=Reminder.Status.SENT).count()
    unmarked = dies_after - marked
    assert 1 <= unmarked <= services.SENT_FLUSH_EVERY

    # after the lease every row left sending goes out again, the unmarked ones a second time
    later = timezone.now() + services.lease() + dt.timedelta(seconds=1)
    assert services.reminders_recover(now=later) == 30 - marked
    assert services.reminders_send_batch(ids=ids) == 30 - marked
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 30
    by_subject = defaultdict(list)
    for envelope in handler.messages:
        message = message_from_bytes(envelope.content)
        by_subject[str(message["Subject"])].append(message["Message-ID"])
    assert len(by_subject) == 30
    assert sum(len(message_ids) - 1 for message_ids in by_subject.values()) == unmarked
    assert all(len(set(message_ids)) == 1 for message_ids in by_subject.values())
