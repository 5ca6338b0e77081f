"""A first visit to home loads at most 100 KB in all: the page and everything it links."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 100 * 1024


def test_home_first_visit_weighs_at_most_100_kb(client, participant_a, offer_a, case_a):
    client.force_login(participant_a)
    html = client.get(reverse("portal:home")).content
    text = html.decode()
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', text)
    assert linked, "the page links its stylesheet"
    total = len(html)
    for url in linked:
        path = finders.find(url.removeprefix("/static/"))
        assert path, url
        with open(path, "rb") as handle:
            total += len(handle.read())
    assert total <= LIMIT, f"home weighs {total} bytes"
    # No web fonts, no third-party address.
    assert "@font-face" not in text and "fonts.googleapis" not in text
    assert not re.search(r'(?:href|src)="https?://', text)
