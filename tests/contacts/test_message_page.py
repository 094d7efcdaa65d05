"""The message page in a few clicks: status badge, one-click buttons, note box, neighbours, print view."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.roles import CLINIC_ADMINS, COUNSELOR_LEADS
from contacts.audit.models import AuditEvent
from contacts.messages.selectors import message_assignees
from contacts.models import Message, MessageNote
from contacts.notifications.models import Notification
from tests.factories import (
    PATIENT,
    make_counselor,
    make_editor,
    make_member,
    make_message,
    make_moderator,
    make_staff,
)

pytestmark = pytest.mark.django_db

BUTTONS = ["assign_to_me", "contacted", "close", "reopen", "notify_again", "note"]


def url(name: str, message: Message) -> str:
    return reverse(f"admin:contacts_message_{name}", args=[message.pk])


def ago(**delta):
    return timezone.now() - timezone.timedelta(**delta)


def events(message: Message, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(message_id=message.pk, action=action))


@pytest.fixture
def counselor(client):
    user = make_counselor()
    client.force_login(user)
    return user


def test_the_page_shows_the_status_badge_and_the_buttons_that_apply_as_forms(client, counselor):
    message = make_message(urgent=True)

    body = client.get(url("change", message)).content.decode()

    assert 'id="message-status">New<' in body
    assert 'id="message-urgent">Urgent<' in body
    for name in ["assign_to_me", "contacted", "close", "notify_again", "note"]:
        assert f'method="post" action="{url(name, message)}' in body
    assert url("reopen", message) not in body
    assert f'href="{url("print", message)}"' in body


def test_a_closed_message_offers_only_reopen(client, counselor):
    message = make_message(status=Message.Status.CLOSED, assigned_to=counselor)

    body = client.get(url("change", message)).content.decode()

    assert 'id="message-status">Closed<' in body
    assert url("reopen", message) in body
    for name in ["assign_to_me", "contacted", "close"]:
        assert url(name, message) not in body


def test_assign_contact_note_and_close_take_four_posts_each_audited_and_on_the_timeline(client, counselor):
    message = make_message()
    change = url("change", message)

    assert client.post(url("assign_to_me", message)).url == change
    assert client.post(url("note", message), {"text": "Called, no answer."}).url == change
    assert client.post(url("contacted", message)).url == change
    response = client.post(url("close", message), follow=True)

    message.refresh_from_db()
    assert (message.status, message.assigned_to) == (Message.Status.CLOSED, counselor)
    assert message.first_contacted_at is not None
    assert list(message.notes.values_list("text", flat=True)) == [
        "Assigned to counselor.",
        "Status: New → In progress.",
        "Called, no answer.",
        "Status: In progress → Contacted.",
        "Status: Contacted → Closed.",
    ]
    assert len(events(message, AuditEvent.Action.ASSIGNED)) == 1
    assert len(events(message, AuditEvent.Action.STATUS_CHANGED)) == 3
    assert "Closed." in [str(m) for m in response.context["messages"]]


def test_reopen_brings_a_closed_message_back_in_progress_with_its_assignee(client, counselor):
    message = make_message(status=Message.Status.CLOSED, assigned_to=counselor)

    client.post(url("reopen", message))

    message.refresh_from_db()
    assert message.status == Message.Status.IN_PROGRESS
    assert events(message, AuditEvent.Action.STATUS_CHANGED)[0].detail == "Closed → In progress"


def test_a_button_that_no_longer_applies_changes_nothing(client, counselor):
    message = make_message(status=Message.Status.SPAM)

    client.post(url("contacted", message))

    message.refresh_from_db()
    assert message.status == Message.Status.SPAM
    assert not events(message, AuditEvent.Action.STATUS_CHANGED)


def test_an_empty_note_adds_nothing(client, counselor):
    message = make_message()

    client.post(url("note", message), {"text": "   "})

    assert not message.notes.exists()


@pytest.mark.parametrize("name", BUTTONS)
def test_the_buttons_refuse_get(client, counselor, name):
    message = make_message()

    assert client.get(url(name, message)).status_code == 405
    assert not message.notes.exists()


@pytest.mark.parametrize("name", BUTTONS)
def test_the_buttons_refuse_staff_without_the_permission(client, name):
    message = make_message()
    client.force_login(make_editor())

    assert client.post(url(name, message), {"text": "x"}).status_code == 403
    message.refresh_from_db()
    assert message.status == Message.Status.NEW
    assert not message.notes.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("name", [*BUTTONS, "print"])
def test_the_buttons_and_print_view_send_anonymous_visitors_to_the_login(client, name):
    message = make_message()

    response = client.post(url(name, message)) if name != "print" else client.get(url(name, message))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_a_view_only_member_sees_no_buttons_and_cannot_use_them(client):
    user = make_staff("viewer")
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(codename__in=["view_message", "view_messagenote"]))
    client.force_login(user)
    message = make_message()

    body = client.get(url("change", message)).content.decode()

    assert url("close", message) not in body
    assert url("note", message) not in body
    assert client.post(url("close", message)).status_code == 403
    assert client.post(url("note", message), {"text": "x"}).status_code == 403


def test_send_notification_again_queues_the_number_and_link_only_and_is_audited(client, counselor, settings):
    settings.COUNSELORS_EMAIL = ["counselors@example.org"]
    message = make_message(**PATIENT)

    response = client.post(url("notify_again", message))

    assert response.status_code == 302
    notification = Notification.objects.get()
    assert f"#{message.pk}" in notification.subject
    assert url("change", message) in notification.body
    for detail in [message.name, message.email, message.body, str(message.phone)]:
        assert detail not in notification.subject + notification.body
    assert len(events(message, AuditEvent.Action.NOTIFICATIONS_RESENT)) == 1


def test_send_notification_again_without_recipients_says_so_and_records_nothing(client, counselor, settings):
    settings.COUNSELORS_EMAIL = []
    message = make_message()

    client.post(url("notify_again", message))

    assert not Notification.objects.exists()
    assert not events(message, AuditEvent.Action.NOTIFICATIONS_RESENT)


def test_previous_and_next_follow_the_list_the_counselor_came_from(client, counselor):
    older = make_message(created_at=ago(hours=3))
    middle = make_message(created_at=ago(hours=2))
    newer = make_message(created_at=ago(hours=1))
    urgent = make_message(created_at=ago(minutes=5), urgent=True)
    make_message(created_at=ago(hours=4), status=Message.Status.CLOSED)
    filters = urlencode({"_changelist_filters": "queue=open"})

    first = client.get(f"{url('change', urgent)}?{filters}").context
    between = client.get(f"{url('change', middle)}?{filters}").context
    last = client.get(f"{url('change', newer)}?{filters}").context

    assert first["previous_url"] is None
    assert first["next_url"] == f"{url('change', older)}?{filters}"
    assert between["previous_url"] == f"{url('change', older)}?{filters}"
    assert between["next_url"] == f"{url('change', newer)}?{filters}"
    assert last["next_url"] is None


def test_next_still_leads_on_from_a_message_that_just_left_the_filtered_list(client, counselor):
    first = make_message(created_at=ago(hours=2))
    second = make_message(created_at=ago(hours=1))
    filters = urlencode({"_changelist_filters": "queue=open"})

    response = client.post(f"{url('close', first)}?{filters}")

    assert response.url == f"{url('change', first)}?{filters}"
    assert client.get(response.url).context["next_url"] == f"{url('change', second)}?{filters}"


def test_hand_edited_list_filters_give_no_neighbours_rather_than_an_error(client, counselor):
    message = make_message()
    filters = urlencode({"_changelist_filters": "nonsense__field=1"})

    response = client.get(f"{url('change', message)}?{filters}")

    assert response.status_code == 200
    assert response.context["next_url"] is None


def test_assignees_are_active_staff_who_may_view_messages(client, counselor):
    lead = make_member("lead", COUNSELOR_LEADS)
    boss = make_member("boss", CLINIC_ADMINS)
    root = make_staff("root", superuser=True)
    make_editor()
    make_moderator()
    gone = make_counselor("gone")
    gone.is_active = False
    gone.save()

    assert list(message_assignees()) == [boss, counselor, lead, root]
    form = client.get(url("change", make_message())).context["adminform"].form
    assert list(form.fields["assigned_to"].queryset) == [boss, counselor, lead, root]


def test_the_timeline_shows_who_when_what_without_prefix_or_empty_rows(client, counselor):
    message = make_message()
    MessageNote.objects.create(message=message, author=counselor, text="Called, no answer.")

    body = client.get(url("change", message)).content.decode()

    timeline = body[body.index('id="message-timeline"') :]
    assert "Called, no answer." in timeline
    assert ">counselor<" in timeline
    assert "Note on message" not in body
    assert timeline.count("<tr>") == 2  # the heading and the one note
    assert 'name="notes-' not in body


def test_a_note_keeps_patient_details_out_of_its_string():
    message = make_message(**PATIENT)
    note = MessageNote.objects.create(message=message, text=f"Called {message.name}.")

    assert message.name not in str(note)


def test_the_print_view_is_plain_never_stored_and_audited(client, counselor):
    message = make_message(**PATIENT)

    response = client.get(url("print", message))

    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert message.body in body
    assert 'id="header"' not in body and "<script" not in body and "style=" not in body
    event = AuditEvent.objects.get(message_id=message.pk)
    assert (event.action, event.detail, event.actor) == (AuditEvent.Action.VIEWED, "printed", counselor)


def test_the_print_view_refuses_staff_without_view_permission_and_post(client, counselor):
    message = make_message()

    assert client.post(url("print", message)).status_code == 405
    client.force_login(make_moderator())
    assert client.get(url("print", message)).status_code == 403
    assert not AuditEvent.objects.filter(detail="printed").exists()


def test_the_message_page_with_its_neighbours_and_timeline_stays_a_few_queries(
    client, counselor, django_assert_max_num_queries
):
    message = make_message()
    for n in range(5):
        MessageNote.objects.create(message=message, author=counselor, text=f"Note {n}")
    filters = urlencode({"_changelist_filters": "queue=open"})

    with django_assert_max_num_queries(30):
        client.get(f"{url('change', message)}?{filters}")
