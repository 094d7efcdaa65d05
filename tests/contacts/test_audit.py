"""The audit of patients' messages: views, exports and changes are recorded, and nobody can alter the record."""

import pytest
from django.urls import reverse

from contacts.messages.services import message_assign, message_set_status
from contacts.models import AuditEvent, Message
from tests.factories import make_counselor, make_member, make_message, make_staff

pytestmark = pytest.mark.django_db

MESSAGES = reverse("admin:contacts_message_changelist")
AUDIT = reverse("admin:contacts_auditevent_changelist")


def change_url(message: Message) -> str:
    return reverse("admin:contacts_message_change", args=[message.pk])


def events(**filters) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", "actor_name", "message_id", "detail")
    )


def test_opening_a_message_records_who_viewed_it_each_time(client):
    message = make_message()
    counselor = make_counselor()
    client.force_login(counselor)

    client.get(change_url(message))
    client.get(change_url(message))

    assert events() == [("viewed", "counselor", message.pk, "")] * 2
    assert AuditEvent.objects.first().actor == counselor


def test_a_refused_look_is_not_recorded_as_a_view(client):
    message = make_message()
    client.force_login(make_member("ed", "Editors"))

    assert client.get(change_url(message)).status_code == 403
    assert events() == []


def test_exporting_records_one_event_per_exported_message(client):
    chosen, other, left_out = make_message(), make_message(), make_message()
    client.force_login(make_counselor("lead", export=True))

    client.post(MESSAGES, {"action": "export_csv", "_selected_action": [chosen.pk, other.pk]})

    assert sorted(events()) == sorted(
        [("exported", "lead", chosen.pk, "CSV of 2"), ("exported", "lead", other.pk, "CSV of 2")]
    )
    assert not AuditEvent.objects.filter(message_id=left_out.pk).exists()


def test_status_and_assignee_changes_on_the_change_form_are_recorded(client):
    message = make_message(name="Sam Patient", body="PRIVATE TEXT")
    counselor = make_counselor()
    client.force_login(counselor)
    data = {
        "status": "contacted",
        "assigned_to": counselor.pk,
        "notes-TOTAL_FORMS": "0", "notes-INITIAL_FORMS": "0", "notes-MIN_NUM_FORMS": "0", "notes-MAX_NUM_FORMS": "1000",
    }  # fmt: skip

    assert client.post(change_url(message), data).status_code == 302

    assert events() == [
        ("assigned", "counselor", message.pk, "nobody → counselor"),
        ("status_changed", "counselor", message.pk, "New → In progress"),
        ("status_changed", "counselor", message.pk, "In progress → Contacted"),
    ]


def test_admin_actions_record_status_and_assignee_changes(client):
    message = make_message()
    client.force_login(make_counselor())

    client.post(MESSAGES, {"action": "assign_to_me", "_selected_action": [message.pk]})
    client.post(MESSAGES + "?queue=all", {"action": "close", "_selected_action": [message.pk]})

    assert [e[0] for e in events()] == ["assigned", "status_changed", "status_changed"]
    assert events()[-1][3] == "In progress → Closed"


def test_an_unchanged_status_or_assignee_records_nothing():
    message = make_message()
    by = make_counselor()

    message_set_status(message=message, status=Message.Status.NEW, by=by)
    message_assign(message=message, assignee=None, by=by)

    assert events() == []


def test_audit_details_never_carry_patient_data(client):
    message = make_message(name="Sam Patient", email="sam@example.org", body="PRIVATE TEXT")
    client.force_login(make_counselor("lead", export=True))
    client.get(change_url(message))
    client.post(MESSAGES, {"action": "export_csv", "_selected_action": [message.pk]})
    client.post(MESSAGES, {"action": "close", "_selected_action": [message.pk]})

    recorded = repr(events())
    for secret in ("Sam", "sam@example.org", "PRIVATE", "7086134751"):
        assert secret not in recorded


def test_a_clinic_admin_sees_the_audit_list_read_only(client):
    message = make_message()
    counselor = make_counselor()
    client.force_login(counselor)
    client.get(change_url(message))
    client.force_login(make_member("boss", "Clinic admins"))

    response = client.get(AUDIT)

    assert response.status_code == 200
    body = response.content.decode()
    assert f"#{message.pk}" in body
    assert "counselor" in body
    assert reverse("admin:contacts_auditevent_add") not in body
    assert response.context["action_form"] is None  # not even "delete selected"
    event = AuditEvent.objects.get()
    page = client.get(reverse("admin:contacts_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page
    assert reverse("admin:contacts_auditevent_delete", args=[event.pk]) not in page


def test_search_the_audit_by_message_number_or_username(client):
    first, second = make_message(), make_message()
    client.force_login(make_counselor())
    client.get(change_url(first))
    client.get(change_url(second))
    client.force_login(make_member("boss", "Clinic admins"))

    by_number = client.get(AUDIT, {"q": str(second.pk)})
    by_name = client.get(AUDIT, {"q": "counselor"})

    assert [e.message_id for e in by_number.context["cl"].result_list] == [second.pk]
    assert len(by_name.context["cl"].result_list) == 2


@pytest.mark.parametrize("group", ["Editors", "Counselors", "Counselor leads", "Moderators"])
def test_other_roles_cannot_see_the_audit(client, group):
    client.force_login(make_member("someone", group))

    assert client.get(AUDIT).status_code == 403


def test_nobody_not_even_a_superuser_can_add_change_or_delete_audit_events(client):
    message = make_message()
    root = make_staff("root", superuser=True)
    client.force_login(root)
    client.get(change_url(message))
    event = AuditEvent.objects.get()
    change = reverse("admin:contacts_auditevent_change", args=[event.pk])
    delete = reverse("admin:contacts_auditevent_delete", args=[event.pk])

    assert client.get(reverse("admin:contacts_auditevent_add")).status_code == 403
    assert client.post(change, {"detail": "rewritten", "action": "viewed", "actor_name": "x"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(AUDIT, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})

    event.refresh_from_db()
    assert (event.detail, event.actor_name) == ("", "root")


def test_a_clinic_admin_deleting_messages_by_hand_is_recorded(client):
    one, two, three = make_message(), make_message(), make_message()
    client.force_login(make_member("boss", "Clinic admins"))

    client.post(reverse("admin:contacts_message_delete", args=[one.pk]), {"post": "yes"})
    client.post(MESSAGES, {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"})

    assert not Message.objects.exists()
    assert sorted(events(action="deleted")) == [("deleted", "boss", m.pk, "") for m in (one, two, three)]
