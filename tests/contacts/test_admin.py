import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Message, MessageNote
from tests.factories import make_counselor, make_editor, make_message, make_staff

pytestmark = pytest.mark.django_db

LIST = reverse("admin:contacts_message_changelist")


def change_url(message: Message) -> str:
    return reverse("admin:contacts_message_change", args=[message.pk])


def ago(**delta):
    return timezone.now() - timezone.timedelta(**delta)


def listed_numbers(response) -> list[int]:
    return [m.pk for m in response.context["cl"].result_list]


@pytest.fixture
def counselor(client):
    user = make_counselor()
    client.force_login(user)
    return user


def test_the_list_shows_urgent_first_then_oldest_and_never_the_message_text(client, counselor):
    newer = make_message(created_at=ago(hours=1), body="SECRET-NEWER")
    older = make_message(created_at=ago(hours=3), body="SECRET-OLDER")
    urgent = make_message(created_at=ago(minutes=5), urgent=True, body="SECRET-URGENT")

    response = client.get(LIST)

    body = response.content.decode()
    assert response.status_code == 200
    assert listed_numbers(response) == [urgent.pk, older.pk, newer.pk]
    assert "SECRET" not in body
    assert "3\xa0hours ago" in body
    assert older.name in body
    assert body.count('class="unread"') == 3


def test_the_default_list_is_the_open_queue_and_other_statuses_are_a_filter_away(client, counselor):
    open_one = make_message()
    in_progress = make_message(status=Message.Status.IN_PROGRESS)
    contacted = make_message(status=Message.Status.CONTACTED)
    closed = make_message(status=Message.Status.CLOSED)
    spam = make_message(status=Message.Status.SPAM)

    assert set(listed_numbers(client.get(LIST))) == {open_one.pk, in_progress.pk, contacted.pk}
    assert listed_numbers(client.get(LIST, {"queue": "closed"})) == [closed.pk]
    assert listed_numbers(client.get(LIST, {"queue": "spam"})) == [spam.pk]
    assert len(listed_numbers(client.get(LIST, {"queue": "all"}))) == 5


def test_filters_by_urgent_assignee_unread_and_date(client, counselor):
    mine = make_message(assigned_to=counselor)
    urgent = make_message(urgent=True)
    old = make_message(created_at=ago(days=40))
    make_message(first_opened_at=timezone.now())

    assert listed_numbers(client.get(LIST, {"urgent__exact": "1"})) == [urgent.pk]
    assert listed_numbers(client.get(LIST, {"assigned_to__id__exact": counselor.pk})) == [mine.pk]
    assert len(listed_numbers(client.get(LIST, {"unread": "1"}))) == 3
    recent = listed_numbers(client.get(LIST, {"created_at__gte": timezone.localtime(ago(days=7)).isoformat()}))
    assert old.pk not in recent
    assert len(recent) == 3


def test_search_by_name_email_and_phone_in_any_format(client, counselor):
    sam = make_message(name="Sam Rivera", email="sam@example.com", phone="+17086134751")
    make_message(name="Alex", email="alex@example.com", phone="+13125550199")

    assert listed_numbers(client.get(LIST, {"q": "rivera"})) == [sam.pk]
    assert listed_numbers(client.get(LIST, {"q": "sam@example"})) == [sam.pk]
    assert listed_numbers(client.get(LIST, {"q": "(708) 613-4751"})) == [sam.pk]
    assert listed_numbers(client.get(LIST, {"q": "7086134751"})) == [sam.pk]


def test_the_list_runs_a_fixed_number_of_queries(client, counselor, django_assert_max_num_queries):
    other = make_staff("other")
    for n in range(20):
        make_message(assigned_to=other if n % 2 else counselor)

    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_actions_assign_contact_close_and_spam_go_through_the_services(client, counselor):
    message = make_message()

    def act(action):
        return client.post(LIST + "?queue=all", {"action": action, "_selected_action": [message.pk]}, follow=True)

    assert "Assigned 1 message(s) to you." in act("assign_to_me").content.decode()
    message.refresh_from_db()
    assert (message.assigned_to, message.status) == (counselor, Message.Status.IN_PROGRESS)

    act("mark_contacted")
    message.refresh_from_db()
    assert message.status == Message.Status.CONTACTED
    assert message.first_contacted_at is not None

    act("close")
    message.refresh_from_db()
    assert message.status == Message.Status.CLOSED

    act("mark_spam")
    message.refresh_from_db()
    assert message.status == Message.Status.SPAM
    assert list(message.notes.values_list("text", flat=True)) == [
        "Assigned to counselor.",
        "Status: New → In progress.",
        "Status: In progress → Contacted.",
        "Status: Contacted → Closed.",
        "Status: Closed → Spam.",
    ]


def test_the_change_page_shows_discreet_wishes_first_contact_links_and_escaped_text(client, counselor):
    message = make_message(
        body='<script>alert("x")</script>\nSecond line',
        phone="+17086134751",
        email="sam@example.com",
        voicemail_ok=False,
        clinic_name_ok=False,
    )

    body = client.get(change_url(message)).content.decode()

    assert "Do NOT leave a voicemail · Do NOT say the clinic&#x27;s name" in body
    assert body.index("Do NOT leave a voicemail") < body.index('class="message-body"')
    assert '<a href="tel:+17086134751">(708) 613-4751</a>' in body
    assert '<a href="mailto:sam@example.com">sam@example.com</a>' in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>Second line" in body
    assert "<script>alert" not in body


def test_an_urgent_message_says_why_at_the_top_of_the_change_page(client, counselor):
    message = make_message(urgent=True, body="I overdosed last night and I feel suicidal.")

    body = client.get(change_url(message)).content.decode()

    assert "URGENT: the message mentions “overdosed”, “suicidal”. Reach out first." in body
    assert body.index("URGENT:") < body.index("Do NOT leave a voicemail")


def test_a_permissive_patient_is_shown_as_such():
    message = make_message(voicemail_ok=True, clinic_name_ok=True)

    assert message.contact_preferences == "Voicemail is OK · OK to say the clinic's name"


def test_opening_a_message_marks_it_read_for_everyone(client, counselor):
    message = make_message()

    client.get(change_url(message))

    message.refresh_from_db()
    assert message.first_opened_by == counselor
    assert 'class="unread"' not in client.get(LIST).content.decode()


def test_a_counselor_adds_a_note_and_changes_status_and_assignee_on_the_change_page(client, counselor):
    message = make_message()
    data = {"status": "contacted", "assigned_to": counselor.pk}
    note_url = reverse("admin:contacts_message_note", args=[message.pk])

    response = client.post(change_url(message), data)
    client.post(note_url, {"text": "Left no voicemail, will try again at 6."})

    assert response.status_code == 302, response.content.decode()[:2000]
    message.refresh_from_db()
    assert message.status == Message.Status.CONTACTED
    assert message.assigned_to == counselor
    assert message.first_contacted_at is not None
    notes = list(MessageNote.objects.filter(message=message).values_list("text", "author"))
    assert ("Left no voicemail, will try again at 6.", counselor.pk) in notes
    assert ("Assigned to counselor.", counselor.pk) in notes
    assert ("Status: In progress → Contacted.", counselor.pk) in notes
    timeline = client.get(change_url(message)).content.decode()
    assert "Left no voicemail, will try again at 6." in timeline


def test_messages_cannot_be_added_in_the_admin_and_counselors_cannot_delete(client, counselor):
    message = make_message()

    assert client.get(reverse("admin:contacts_message_add")).status_code == 403
    assert client.get(reverse("admin:contacts_message_delete", args=[message.pk])).status_code == 403
    actions = dict(client.get(LIST).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions


def test_csv_export_is_offered_only_with_the_export_permission(client, counselor):
    actions = dict(client.get(LIST).context["action_form"].fields["action"].choices)
    assert "export_csv" not in actions

    message = make_message()
    response = client.post(LIST, {"action": "export_csv", "_selected_action": [message.pk]})
    assert response.get("Content-Type") != "text/csv; charset=utf-8"


def test_csv_export_of_selected_messages_neutralises_spreadsheet_formulas(client):
    client.force_login(make_counselor("exporter", export=True))
    chosen = make_message(name='=HYPERLINK("http://evil")', body="+1 call me", email="sam@example.com")
    make_message(name="Not chosen")

    response = client.post(LIST, {"action": "export_csv", "_selected_action": [chosen.pk]})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["number"] == str(chosen.pk)
    assert row["name"] == '\'=HYPERLINK("http://evil")'
    assert row["message"] == "'+1 call me"
    assert row["phone"] == "'+17086134751"
    assert row["email"] == "sam@example.com"


def test_the_admin_index_counts_new_and_urgent_open_messages(client, counselor):
    make_message()
    make_message(urgent=True)
    make_message(urgent=True, status=Message.Status.IN_PROGRESS)
    make_message(urgent=True, status=Message.Status.CLOSED)

    body = client.get(reverse("admin:index")).content.decode()

    counts = body[body.index('id="message-counts"') :]
    assert "<strong>2</strong> new" in counts
    assert '<strong class="urgent">2</strong> urgent and still open' in counts


def test_staff_without_message_access_see_no_counts_and_no_messages(client):
    make_message()
    client.force_login(make_editor())

    assert 'id="message-counts"' not in client.get(reverse("admin:index")).content.decode()
    assert client.get(LIST).status_code == 403
