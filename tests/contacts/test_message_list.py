"""The counselors' message list at a glance: waiting time, urgency badge, mine, star, mark read, phone search."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.roles import CLINIC_ADMINS, COUNSELOR_LEADS
from contacts.audit.models import AuditEvent
from contacts.messages.admin_list import phone_digits, short_duration
from contacts.models import Message
from tests.factories import make_counselor, make_editor, make_member, make_message, make_moderator, make_staff

pytestmark = pytest.mark.django_db

LIST = reverse("admin:contacts_message_changelist")


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def listed_numbers(response) -> list[int]:
    return [m.pk for m in response.context["cl"].result_list]


@pytest.fixture
def counselor(client):
    user = make_counselor()
    client.force_login(user)
    return user


def act(client, action: str, *messages: Message):
    return client.post(
        LIST + "?queue=all", {"action": action, "_selected_action": [m.pk for m in messages]}, follow=True
    )


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=20), "under 1 min"),
        (timedelta(minutes=42), "42 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(hours=30, minutes=10), "30 h"),
        (timedelta(days=3, hours=4), "3 d"),
    ],
)
def test_waiting_times_read_at_a_glance(delta, text):
    assert short_duration(delta) == text


def test_the_list_shows_how_long_each_patient_has_waited_and_nothing_for_closed_or_spam(client, counselor):
    make_message(created_at=ago(hours=2))
    make_message(created_at=ago(days=3, hours=1), status=Message.Status.IN_PROGRESS)
    make_message(created_at=ago(hours=5), status=Message.Status.CONTACTED, first_contacted_at=ago(hours=4))
    make_message(created_at=ago(days=9), status=Message.Status.CLOSED)
    make_message(created_at=ago(days=9), status=Message.Status.SPAM)

    body = client.get(LIST, {"queue": "all"}).content.decode()

    assert '<span class="waiting">waiting 2 h</span>' in body
    assert '<span class="waiting">waiting 3 d</span>' in body
    assert "contacted after 1 h" in body
    assert body.count('class="waiting"') == 2
    assert '<td class="field-waiting">closed</td>' in body
    assert '<td class="field-waiting">spam</td>' in body


def test_urgent_messages_carry_a_badge_with_the_word_urgent(client, counselor):
    make_message(urgent=True)
    make_message(urgent=True, spam_reason="too_fast")
    make_message()

    body = client.get(LIST).content.decode()

    assert body.count('<strong class="urgent urgent-badge">URGENT</strong>') == 2
    assert body.count("possible spam") == 1


def test_the_key_columns_come_first(client, counselor):
    make_message()

    body = client.get(LIST).content.decode()

    row = body.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'class="field-(\w+)', row)[:5] == ["urgency", "status", "waiting", "assigned_to", "star"]


def test_mine_lists_only_the_messages_assigned_to_whoever_looks(client, counselor):
    other = make_counselor("other")
    mine = make_message(assigned_to=counselor)
    make_message(assigned_to=other)
    make_message()

    assert listed_numbers(client.get(LIST, {"mine": "1"})) == [mine.pk]
    client.force_login(other)
    assert listed_numbers(client.get(LIST, {"mine": "1"})) != [mine.pk]


def test_the_assignee_filter_offers_only_staff_who_may_view_messages(client, counselor):
    lead = make_member("lead", COUNSELOR_LEADS)
    clinic_admin = make_member("clinicadmin", CLINIC_ADMINS)
    boss = make_staff("boss", superuser=True)
    make_editor("editor")
    make_moderator("moderator")
    make_staff("nobody")
    make_counselor("gone").__class__.objects.filter(username="gone").update(is_active=False)
    make_message(assigned_to=lead)

    response = client.get(LIST)

    (assignee_filter,) = [f for f in response.context["cl"].filter_specs if f.title == "assigned to"]
    offered = [name for _pk, name in assignee_filter.lookup_choices]
    assert offered == sorted([boss.username, clinic_admin.username, counselor.username, lead.username])
    assert listed_numbers(client.get(LIST, {"assigned_to__id__exact": lead.pk})) != []


def test_mark_read_records_the_first_opener_once_and_is_audited(client, counselor):
    unread = make_message()
    opened_by_other = make_message(first_opened_at=ago(hours=1), first_opened_by=make_counselor("other"))

    response = act(client, "mark_read", unread, opened_by_other)

    assert "Marked 1 message(s) read." in response.content.decode()
    unread.refresh_from_db()
    opened_by_other.refresh_from_db()
    assert (unread.first_opened_by, unread.first_opened_at is not None) == (counselor, True)
    assert opened_by_other.first_opened_by.username == "other"
    event = AuditEvent.objects.get()
    assert (event.actor, event.message_id, event.action) == (counselor, unread.pk, AuditEvent.Action.STATUS_CHANGED)
    assert event.detail == "Unread → Read (from the list)"
    assert listed_numbers(client.get(LIST, {"unread": "1"})) == []


def test_a_star_is_put_on_and_taken_off_shown_filtered_and_audited(client, counselor):
    message = make_message()
    other = make_message()

    assert "Starred 1 message(s) for follow-up." in act(client, "add_star", message).content.decode()
    message.refresh_from_db()
    assert message.starred

    response = client.get(LIST)
    assert response.content.decode().count('aria-label="Starred for follow-up"') == 1
    assert listed_numbers(client.get(LIST, {"starred__exact": "1"})) == [message.pk]
    assert listed_numbers(client.get(LIST, {"starred__exact": "0"})) == [other.pk]

    assert "Removed the star from 1 message(s)." in act(client, "remove_star", message, other).content.decode()
    message.refresh_from_db()
    assert not message.starred
    assert list(AuditEvent.objects.order_by("id").values_list("message_id", "detail")) == [
        (message.pk, "Follow-up star added"),
        (message.pk, "Follow-up star removed"),
    ]


def test_staff_who_may_only_view_messages_are_not_offered_the_actions(client):
    viewer = make_staff("viewer")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.set(Permission.objects.filter(codename="view_message"))
    client.force_login(viewer)
    message = make_message()

    response = act(client, "add_star", message)

    message.refresh_from_db()
    assert not message.starred
    assert "add_star" not in client.get(LIST).content.decode()
    assert response.status_code == 200


@pytest.mark.parametrize(
    "typed",
    ["555-0100", "(312) 555", "+1 312 555 0100", "312.555.0100", "1-312-555-0100", "13125550100", "0100"],
)
def test_a_phone_number_typed_any_way_finds_the_message(client, counselor, typed):
    wanted = make_message(phone="+13125550100")
    make_message(phone="+17086134751")

    assert listed_numbers(client.get(LIST, {"q": typed})) == [wanted.pk]


def test_search_by_name_and_email_ignores_case_and_keeps_the_status_filter(client, counselor):
    sam = make_message(name="Sam Rivera", email="Sam.Rivera@Example.com", phone="+13125550100")
    closed = make_message(name="Sam Closed", phone="+13125550100", status=Message.Status.CLOSED)
    make_message(name="Alex", email="alex@example.com", phone="+17086134751")

    assert listed_numbers(client.get(LIST, {"q": "RIVERA"})) == [sam.pk]
    assert listed_numbers(client.get(LIST, {"q": "sam.rivera@example"})) == [sam.pk]
    # The open queue stays the open queue: a phone search adds no closed message to it.
    assert listed_numbers(client.get(LIST, {"q": "555-0100"})) == [sam.pk]
    assert set(listed_numbers(client.get(LIST, {"q": "555-0100", "queue": "all"}))) == {sam.pk, closed.pk}


@pytest.mark.parametrize("term", ["Sam", "sam@example.com", "12", "Room 101", ""])
def test_terms_that_are_not_phone_numbers_are_not_searched_as_digits(term):
    assert phone_digits(term) == ""


def test_the_list_with_filters_and_search_runs_a_fixed_number_of_queries(
    client, counselor, django_assert_max_num_queries
):
    others = [make_counselor(f"c{n}") for n in range(5)]
    for n in range(30):
        make_message(assigned_to=others[n % 5], starred=n % 3 == 0, urgent=n % 4 == 0)

    for params in [{}, {"mine": "1"}, {"starred__exact": "1"}, {"q": "(708) 613"}]:
        with django_assert_max_num_queries(12):
            assert client.get(LIST, params).status_code == 200
