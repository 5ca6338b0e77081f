"""Another enterprise's offer, class, request, upload form or document answers 404, for two
members of two enterprises on every page; the budgets of the list pages do not grow."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifications import services as case_services
from cohorts.models import Enrollment
from tests import factories as f
from tests.portal.conftest import PDF, case_of, offered

pytestmark = pytest.mark.django_db


def _close_quietly(response) -> None:
    """Close a file response without the end-of-request signal, which would close the test's
    database connection (the test client does the same)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def pages_of(offer, case, document):
    return [
        reverse("portal:offer", args=[offer.pk]),
        reverse("portal:class_detail", args=[offer.cohort_id]),
        reverse("portal:class_ics", args=[offer.cohort_id]),
        reverse("portal:case_detail", args=[case.pk]),
        reverse("portal:case_upload", args=[case.pk]),
        reverse("certifications:document", args=[document.pk]),
    ]


def upload(case, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return case_services.document_upload(
        case=case, actor=user, file=SimpleUploadedFile("a.pdf", PDF), title="Panduan"
    )


@pytest.fixture
def two_worlds(participant_a, participant_b, enterprise_a, enterprise_b, cohort, case_a, case_b):
    other_cohort = f.CohortFactory(stage=cohort.stage, name="Pemula B")
    offer_a = offered(enterprise_a, cohort)
    offer_b = offered(enterprise_b, other_cohort)
    Enrollment.objects.filter(pk__in=[offer_a.pk, offer_b.pk]).update(
        status=Enrollment.Status.ENROLLED
    )
    return {
        participant_a: pages_of(offer_a, case_a, upload(case_a, participant_a)),
        participant_b: pages_of(offer_b, case_b, upload(case_b, participant_b)),
    }


def test_each_member_opens_their_own_pages_and_gets_404_on_the_others(client, two_worlds):
    (user_a, pages_a), (user_b, pages_b) = two_worlds.items()
    for user, own, others in ((user_a, pages_a, pages_b), (user_b, pages_b, pages_a)):
        client.force_login(user)
        for url in own:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.streaming:
                _close_quietly(response)
        for url in others:
            assert client.get(url).status_code == 404, url
        # Writing to another enterprise's offer or request is a 404 too, and changes nothing.
        assert client.post(others[0], {"choice": "decline"}).status_code == 404
        assert client.post(others[4], {"title": "x"}).status_code == 404


def test_home_shows_only_the_members_enterprise(client, two_worlds, case_a, case_b):
    (user_a, _pages_a), _b = two_worlds.items()
    client.force_login(user_a)
    page = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:case_detail", args=[case_a.pk]) in page
    assert reverse("portal:case_detail", args=[case_b.pk]) not in page
    assert "Pemula B" not in page


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_data(enterprise, stage, scheme, office, staff, n):
    for i in range(n):
        cohort = f.CohortFactory(stage=f.StageFactory(program=stage.program), name=f"Kelas {i}")
        f.SessionFactory(cohort=cohort)
        enrollment = offered(enterprise, cohort)
        if i % 2:
            Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.ENROLLED)
        other = f.SchemeFactory()
        f.SchemeDocumentFactory(scheme=other)
        case_of(enterprise, other, office, staff)


@pytest.mark.parametrize("name", ["portal:home", "portal:classes", "portal:cases"])
def test_list_pages_cost_the_same_however_much_data(
    client, participant_a, enterprise_a, stage, scheme, office_lampung, staff_lampung, name
):
    client.force_login(participant_a)
    _more_data(enterprise_a, stage, scheme, office_lampung, staff_lampung, 2)
    small = _count(client, reverse(name))
    _more_data(enterprise_a, stage, scheme, office_lampung, staff_lampung, 8)
    large = _count(client, reverse(name))
    assert large == small
    assert small <= 15
