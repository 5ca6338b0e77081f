import datetime as dt

import pytest

from seeds.demo import build_demo

DEMO_DAY = dt.date(2025, 3, 12)


@pytest.fixture
def demo(db):
    """The demo built around a fixed day."""
    return build_demo(today=DEMO_DAY)
