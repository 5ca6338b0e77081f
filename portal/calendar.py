"""A class's sessions as an iCalendar file (RFC 5545) that calendar applications import."""

from __future__ import annotations

from django.conf import settings
from icalendar import Calendar, Event


def sessions_ics(cohort, sessions) -> bytes:
    """One class's sessions (``cohort`` given), or sessions of several classes (None)."""
    calendar = Calendar()
    calendar.add("prodid", "-//NaikKelas//Kelas//ID")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", cohort.name if cohort else "NaikKelas")
    host = (settings.SITE_URL or "naikkelas").split("://")[-1]
    for session in sessions:
        cohort_of = cohort or session.cohort
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("summary", f"{cohort_of.name}: {session.topic}")
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("dtstamp", session.starts_at)
        place = session.place or cohort_of.venue
        link = session.online_link or cohort_of.online_link
        if place:
            event.add("location", place)
        elif link:
            event.add("location", link)
        if link:
            event.add("url", link)
        if session.cancelled_at:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
