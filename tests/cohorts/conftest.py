"""Fixtures for the selection and seats tests: a Lampung stage with a small class."""

import pytest

from cohorts.models import Enrollment, Level
from tests import factories as f


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
