"""Fixtures for the cohorts tests: a Lampung stage with a small class.

These tests state the rules' messages by their English ids, so they run in English; the
Indonesian wording is checked where the pages are (tests/accounts, tests/models) and in
test_messages_reach_users_in_indonesian below.
"""

import pytest
from django.utils import translation

from cohorts.models import Enrollment, Level
from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings, client):
    """Services, pages and the language cookie in English (users default to Indonesian)."""
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def stage_lampung(program_lampung):
    return f.StageFactory(program=program_lampung, number=1)


@pytest.fixture
def small_class(stage_lampung):
    """A beginners' class with two seats, so that the third admission waits."""
    return f.CohortFactory(stage=stage_lampung, level=Level.PEMULA, name="Pemula A", capacity=2)


@pytest.fixture
def selected(office_lampung, stage_lampung):
    """Make a selected enrollment of a new (or given) Lampung enterprise in the stage."""

    def make(enterprise=None, **kwargs):
        enterprise = enterprise or f.EnterpriseFactory(registered_by=office_lampung)
        return f.EnrollmentFactory(
            enterprise=enterprise,
            stage=stage_lampung,
            status=Enrollment.Status.SELECTED,
            **kwargs,
        )

    return make
