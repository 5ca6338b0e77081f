import datetime as dt

import pytest
from django.utils import translation

from seeds.demo import build_demo


@pytest.fixture(autouse=True)
def _english(settings):
    """The commands' summaries are checked by their English wording."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


DEMO_DAY = dt.date(2025, 3, 12)


@pytest.fixture
def demo(db):
    """The demo built around a fixed day."""
    return build_demo(today=DEMO_DAY)
