"""Retention (`purge_messages`) and privacy requests (`erase_person`)."""

import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.messages.services import message_note_add
from contacts.models import AuditEvent, Comment, Message, MessageNote
from contacts.privacy.services import messages_purge
from tests.factories import make_article, make_comment, make_counselor, make_message

pytestmark = pytest.mark.django_db


def aged(message: Message, days: float) -> Message:
    """Make the message's last change `days` ago (updated_at is set on every save otherwise)."""
    Message.objects.filter(pk=message.pk).update(updated_at=timezone.now() - timezone.timedelta(days=days))
    return message


def exists(*objects) -> list[bool]:
    return [type(o).objects.filter(pk=o.pk).exists() for o in objects]


def run(command: str, *args, capsys) -> str:
    call_command(command, *args)
    return capsys.readouterr().out


# purge_messages


def test_purge_deletes_closed_messages_after_the_retention_and_spam_after_30_days(capsys):
    closed_old = aged(make_message(status=Message.Status.CLOSED), 366)
    closed_recent = aged(make_message(status=Message.Status.CLOSED), 364)
    spam_old = aged(make_message(status=Message.Status.SPAM), 31)
    spam_recent = aged(make_message(status=Message.Status.SPAM), 29)

    out = run("purge_messages", capsys=capsys)

    assert exists(closed_old, closed_recent, spam_old, spam_recent) == [False, True, False, True]
    assert "Deleted 1 closed message(s), 1 spam message(s) and 0 note(s)." in out


@pytest.mark.parametrize("status", [Message.Status.NEW, Message.Status.IN_PROGRESS, Message.Status.CONTACTED])
def test_purge_never_touches_open_messages_however_old(status):
    message = aged(make_message(status=status, created_at=timezone.now() - timezone.timedelta(days=4000)), 4000)

    result = messages_purge()

    assert (result.closed_ids, result.spam_ids) == ([], [])
    assert exists(message) == [True]


def test_purge_deletes_the_notes_of_purged_messages_and_records_numbers_only(capsys):
    counselor = make_counselor()
    old = make_message(status=Message.Status.CLOSED, name="Sam Patient")
    note = message_note_add(message=old, author=counselor, text="Called back.")
    aged(old, 400)

    out = run("purge_messages", capsys=capsys)

    assert exists(note) == [False]
    assert "and 1 note(s)." in out
    event = AuditEvent.objects.get()
    assert (event.action, event.message_id, event.actor_name) == ("purged", old.pk, "manage.py purge_messages")
    assert event.detail == "closed, kept 365 days"


def test_purge_dry_run_reports_numbers_and_deletes_nothing(capsys):
    closed = aged(make_message(status=Message.Status.CLOSED), 366)
    spam = aged(make_message(status=Message.Status.SPAM), 31)

    out = run("purge_messages", "--dry-run", capsys=capsys)

    assert exists(closed, spam) == [True, True]
    assert "Would delete 1 closed message(s), 1 spam message(s)" in out
    assert f"Closed: #{closed.pk}" in out
    assert f"Spam: #{spam.pk}" in out
    assert not AuditEvent.objects.exists()


def test_the_retention_comes_from_the_setting(settings):
    settings.MESSAGE_RETENTION_DAYS = 30
    closed = aged(make_message(status=Message.Status.CLOSED), 31)

    assert messages_purge().closed_ids == [closed.pk]


def test_reopening_a_closed_message_restarts_its_retention():
    reopened = aged(make_message(status=Message.Status.CLOSED), 400)
    Message.objects.filter(pk=reopened.pk).update(status=Message.Status.IN_PROGRESS, updated_at=timezone.now())

    assert messages_purge().closed_ids == []
    assert exists(reopened) == [True]


# erase_person


@pytest.fixture
def person():
    """Sam's messages (one by email, one by phone only) and comments, among other people's."""
    article = make_article()
    counselor = make_counselor()
    by_email = make_message(email="Sam@Example.org", phone="", name="Sam", body="SAM'S WORDS")
    by_phone = make_message(email="", phone="+17086134799", name="Sam", body="SAM AGAIN")
    message_note_add(message=by_phone, author=counselor, text="Left a message.")
    comment = make_comment(article, author_email="sam@example.org", body="Sam's comment")
    reply = make_comment(article, author_email="other@example.org", parent=comment, body="A reply to Sam")
    others = [make_message(email="someone@example.org", phone="+17086134700"), make_comment(article)]
    return {"article": article, "messages": [by_email, by_phone], "comment": comment, "reply": reply, "others": others}


def test_erase_by_email_deletes_their_messages_notes_and_comments_only(person, capsys):
    out = run("erase_person", "--email", "SAM@example.org", capsys=capsys)

    by_email, by_phone = person["messages"]
    assert exists(by_email, person["comment"]) == [False, False]
    assert exists(by_phone, *person["others"]) == [True, True, True]
    assert f"Found 1 message(s) (#{by_email.pk}) with 0 note(s), and 1 comment(s) (#{person['comment'].pk})." in out
    assert "Erased 1 message(s) and 1 comment(s)." in out
    for secret in ("SAM'S WORDS", "Sam's comment", "example.org", "Sam"):
        assert secret not in out


def test_erase_by_phone_in_another_format_and_email_together(person, capsys):
    run("erase_person", "--phone", "(708) 613-4799", "--email", "sam@example.org", capsys=capsys)

    assert exists(*person["messages"]) == [False, False]
    assert not MessageNote.objects.exists()


@pytest.mark.parametrize("phone", ["708.613.4799", "+1 708 613 4799", "7086134799"])
def test_erase_recognises_a_phone_written_any_usual_way(person, phone):
    call_command("erase_person", "--phone", phone)

    assert exists(*person["messages"]) == [True, False]


def test_replies_by_others_to_an_erased_comment_are_kept_as_top_level_comments(person):
    call_command("erase_person", "--email", "sam@example.org")

    person["reply"].refresh_from_db()
    assert person["reply"].parent is None
    assert person["reply"].status == Comment.Status.APPROVED


def test_erase_records_numbers_only_in_the_audit(person):
    call_command("erase_person", "--email", "sam@example.org", "--phone", "7086134799")

    recorded = list(AuditEvent.objects.order_by("id").values_list("action", "message_id", "detail"))
    by_email, by_phone = person["messages"]
    assert recorded == [
        ("erased", by_email.pk, "privacy request"),
        ("erased", by_phone.pk, "privacy request"),
        ("erased", None, f"privacy request: 1 comment(s) #{person['comment'].pk}"),
    ]


def test_erase_dry_run_finds_but_deletes_nothing(person, capsys):
    out = run("erase_person", "--email", "sam@example.org", "--phone", "7086134799", "--dry-run", capsys=capsys)

    assert "Found 2 message(s)" in out and "with 1 note(s)" in out
    assert "Dry run: nothing was deleted." in out
    assert exists(*person["messages"], person["comment"]) == [True, True, True]
    assert not AuditEvent.objects.exists()


def test_erase_exports_everything_found_to_a_private_json_file_first(person, tmp_path):
    path = tmp_path / "sam.json"

    call_command("erase_person", "--email", "sam@example.org", "--phone", "7086134799", "--export", str(path))

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(path.read_text())
    assert [m["message"] for m in data["messages"]] == ["SAM'S WORDS", "SAM AGAIN"]
    assert data["messages"][0]["email"] == "Sam@Example.org"
    assert data["messages"][1]["phone"] == "+17086134799"
    assert data["messages"][1]["notes"][0]["text"] == "Left a message."
    assert [(c["comment"], c["email"]) for c in data["comments"]] == [("Sam's comment", "sam@example.org")]
    assert exists(*person["messages"]) == [False, False]


def test_an_export_with_dry_run_is_written_and_nothing_is_deleted(person, tmp_path):
    path = tmp_path / "copy.json"

    call_command("erase_person", "--email", "sam@example.org", "--export", str(path), "--dry-run")

    assert len(json.loads(path.read_text())["messages"]) == 1
    assert exists(*person["messages"]) == [True, True]


def test_erase_refuses_to_overwrite_an_existing_export_and_deletes_nothing(person, tmp_path):
    path = tmp_path / "exists.json"
    path.write_text("{}")

    with pytest.raises(CommandError, match="already exists"):
        call_command("erase_person", "--email", "sam@example.org", "--export", str(path))

    assert path.read_text() == "{}"
    assert exists(*person["messages"]) == [True, True]


@pytest.mark.parametrize(
    ("args", "error"), [([], "Give --email or --phone"), (["--phone", "call me"], "is not a phone number")]
)
def test_erase_needs_an_email_or_a_real_phone_number(args, error):
    with pytest.raises(CommandError, match=error):
        call_command("erase_person", *args)


def test_erasing_an_approved_comment_refreshes_the_article_for_readers(client, person):
    article = person["article"]
    before = client.get(article.get_absolute_url()).content.decode()
    assert "Sam&#x27;s comment" in before or "Sam's comment" in before

    call_command("erase_person", "--email", "sam@example.org")

    after = client.get(article.get_absolute_url()).content.decode()
    assert "Sam's comment" not in after and "Sam&#x27;s comment" not in after
    assert "A reply to Sam" in after


def test_a_note_added_after_closing_does_not_postpone_the_purge():
    closed = aged(make_message(status=Message.Status.CLOSED), 366)
    message_note_add(message=closed, author=make_counselor(), text="Filed.")

    assert messages_purge().closed_ids == [closed.pk]
