"""The demo's outbox: the reminder rules find a realistic set of messages on the demo's day."""

from certifications.models import Certificate
from notifications import kinds
from notifications.models import Reminder


def test_the_demo_outbox_holds_each_kind_of_the_story(demo):
    waiting = set(
        Reminder.objects.filter(status=Reminder.Status.PENDING).values_list("kind", flat=True)
    )
    assert {kinds.SESSION_TOMORROW, kinds.DOCUMENT_MISSING, kinds.SEAT_OFFER} <= waiting
    # the ISO 9001 certificate expiring within 90 days (on a past day the nightly expiry, run
    # today, may already have marked it expired: then it is rightly not reminded of)
    story = Certificate.objects.get(case__scheme__code="iso-9001", renewals__isnull=False)
    if story.status == Certificate.Status.ACTIVE:
        assert kinds.CERTIFICATE_EXPIRING in waiting
    english = Reminder.objects.get(kind=kinds.SESSION_TOMORROW)
    assert english.title.startswith("Tomorrow:")  # its recipient reads English
