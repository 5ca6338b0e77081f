from django.urls import reverse

from notifications import kinds, preferences


def test_the_page_lists_the_optional_kinds_ticked_by_default(client, participant_a):
    client.force_login(participant_a)
    response = client.get(reverse("portal:reminder_settings"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["wanted"] == kinds.OPTIONAL
    assert kinds.SEAT_OFFER not in dict(form.fields["wanted"].choices)


def test_unticking_a_kind_mutes_it_for_that_user_only(client, participant_a, participant_b):
    client.force_login(participant_a)
    wanted = [k for k in kinds.OPTIONAL if k != kinds.SESSION_TOMORROW]
    response = client.post(reverse("portal:reminder_settings"), {"wanted": wanted})
    assert response.status_code == 302
    assert preferences.muted_kinds(user=participant_a) == [kinds.SESSION_TOMORROW]
    assert preferences.muted_kinds(user=participant_b) == []
    page = client.get(reverse("portal:reminder_settings"))
    assert kinds.SESSION_TOMORROW not in page.context["form"].initial["wanted"]


def test_an_unknown_kind_is_refused_and_nothing_changes(client, participant_a):
    client.force_login(participant_a)
    response = client.post(reverse("portal:reminder_settings"), {"wanted": ["not-a-kind"]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert preferences.muted_kinds(user=participant_a) == []


def test_the_page_needs_a_login(client, db):
    response = client.get(reverse("portal:reminder_settings"))
    assert response.status_code == 302
