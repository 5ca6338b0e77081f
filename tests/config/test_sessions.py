"""A signed-in session ends after the idle timeout; an active one does not."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings


@pytest.mark.django_db
def test_an_idle_session_ends_and_an_active_one_lives_on(client, participant_a):
    start = dt.datetime(2031, 3, 10, 8, 0, tzinfo=dt.UTC)
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(participant_a)
        assert client.get("/").status_code == 200
        # Active: a request every half hour for longer than the timeout keeps the session.
        for _ in range(int(idle / dt.timedelta(minutes=30)) + 2):
            clock.shift(dt.timedelta(minutes=30))
            assert client.get("/").status_code == 200
        # Idle past the timeout: the next request is anonymous.
        clock.shift(idle + dt.timedelta(seconds=1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/")
