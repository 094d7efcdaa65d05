"""Staff roles: the groups the migration creates, `sync_roles`, and each boundary through the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinic import roles
from contacts.models import Comment, Message
from tests.factories import make_article, make_comment, make_member, make_message

pytestmark = pytest.mark.django_db

ARTICLE_PERMS = {
    f"articles.{a}_{m}" for m in ("article", "faqentry", "source") for a in ("view", "add", "change", "delete")
}
COUNSELOR_PERMS = {
    "contacts.view_message",
    "contacts.change_message",
    "contacts.view_messagenote",
    "contacts.add_messagenote",
    "contacts.view_comment",
}
EXPECTED = {
    "Editors": ARTICLE_PERMS,
    "Counselors": COUNSELOR_PERMS,
    "Counselor leads": COUNSELOR_PERMS | {"contacts.export_message", "contacts.view_notification"},
    "Moderators": {"contacts.view_comment", "contacts.change_comment", "contacts.can_moderate"},
}
NOT_ADMINS = sorted(EXPECTED)


def group_perms(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
    }


def all_perms() -> set[str]:
    return {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }


# The migration (the test database is built by running every migration)


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_the_migration_creates_each_role_with_exactly_its_permissions(name):
    assert group_perms(name) == EXPECTED[name]


def test_the_migration_gives_clinic_admins_every_permission_of_the_apps_staff_work_in():
    admins = group_perms("Clinic admins")

    for app in ("articles", "contacts", "auth", "axes"):
        assert {p for p in all_perms() if p.startswith(f"{app}.")} <= admins
    assert "contacts.view_auditevent" in admins
    assert "contacts.delete_message" in admins


def test_only_clinic_admins_may_see_the_audit_or_delete_a_message():
    for name in NOT_ADMINS:
        assert not {"contacts.view_auditevent", "contacts.delete_message", "contacts.delete_comment"} & group_perms(
            name
        )


def test_audit_events_have_no_add_change_or_delete_permission_at_all():
    assert {p for p in all_perms() if p.endswith("_auditevent")} == {"contacts.view_auditevent"}


# sync_roles


def test_sync_roles_restores_exact_permissions_and_is_idempotent(capsys):
    counselors = Group.objects.get(name="Counselors")
    counselors.permissions.add(Permission.objects.get(codename="delete_message"))
    counselors.permissions.remove(Permission.objects.get(codename="add_messagenote"))
    Group.objects.filter(name="Moderators").delete()

    call_command("sync_roles")
    call_command("sync_roles")

    for name in NOT_ADMINS:
        assert group_perms(name) == EXPECTED[name]
    assert group_perms("Clinic admins") == all_perms()
    assert Group.objects.filter(name__in=roles.ROLES).count() == len(roles.ROLES)
    assert "Counselors: 5 permission(s)." in capsys.readouterr().out


def test_sync_roles_refuses_a_permission_that_does_not_exist_and_changes_nothing(monkeypatch):
    monkeypatch.setitem(roles.ROLES, "Counselors", [*roles.ROLES["Counselors"], "contacts.fly_message"])
    Group.objects.get(name="Editors").permissions.clear()

    with pytest.raises(CommandError, match="contacts.fly_message"):
        call_command("sync_roles")

    assert group_perms("Editors") == set()


# Boundaries, through the admin, with users put in the groups


MESSAGES = reverse("admin:contacts_message_changelist")
COMMENTS = reverse("admin:contacts_comment_changelist")


def message_url(view: str, message: Message) -> str:
    return reverse(f"admin:contacts_message_{view}", args=[message.pk])


def test_an_editor_gets_403_on_the_message_list_and_change_page(client):
    message = make_message()
    client.force_login(make_member("ed", "Editors"))

    assert client.get(MESSAGES).status_code == 403
    assert client.get(message_url("change", message)).status_code == 403
    assert client.post(message_url("change", message), {"status": "closed"}).status_code == 403
    message.refresh_from_db()
    assert message.status == Message.Status.NEW


def test_an_editor_edits_articles(client):
    article = make_article()
    client.force_login(make_member("ed", "Editors"))

    assert client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200
    assert client.get(reverse("admin:articles_article_add")).status_code == 200


def test_a_counselor_works_messages_but_cannot_see_or_edit_articles(client):
    article, message = make_article(title="Kept title"), make_message()
    client.force_login(make_member("co", "Counselors"))

    assert client.get(message_url("change", message)).status_code == 200
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(reverse("admin:articles_article_add")).status_code == 403
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert client.get(change).status_code == 403
    assert client.post(change, {"title": "Changed"}).status_code == 403
    article.refresh_from_db()
    assert article.title == "Kept title"


def test_a_counselor_cannot_delete_a_message_from_its_page_or_the_list(client):
    message = make_message()
    client.force_login(make_member("co", "Counselors"))

    assert client.get(message_url("delete", message)).status_code == 403
    assert client.post(message_url("delete", message), {"post": "yes"}).status_code == 403
    actions = [name for name, _ in client.get(MESSAGES).context["action_form"].fields["action"].choices]
    assert "close" in actions
    assert "delete_selected" not in actions
    client.post(MESSAGES, {"action": "delete_selected", "_selected_action": [message.pk], "post": "yes"})
    assert Message.objects.filter(pk=message.pk).exists()


def test_a_moderator_cannot_open_messages(client):
    message = make_message()
    client.force_login(make_member("mo", "Moderators"))

    assert client.get(MESSAGES).status_code == 403
    assert client.get(message_url("change", message)).status_code == 403
    assert client.get(COMMENTS).status_code == 200


@pytest.mark.parametrize("group", NOT_ADMINS)
def test_no_role_but_clinic_admins_can_delete_a_message(client, group):
    message = make_message()
    client.force_login(make_member("someone", group))

    assert client.get(message_url("delete", message)).status_code == 403
    assert client.post(message_url("delete", message), {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()


def test_a_clinic_admin_deletes_a_message(client):
    message = make_message()
    client.force_login(make_member("boss", "Clinic admins"))

    assert client.post(message_url("delete", message), {"post": "yes"}).status_code == 302
    assert not Message.objects.filter(pk=message.pk).exists()


@pytest.mark.parametrize("group", ["Editors", "Counselors"])
def test_only_moderators_approve_comments(client, group):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(make_member("someone", group))

    response = client.post(COMMENTS, {"action": "approve", "_selected_action": [comment.pk]})

    # Editors may not see comments at all; counselors read them (a crisis comment's notification
    # leads them there) but the approve action is not theirs.
    assert response.status_code == (403 if group == "Editors" else 200)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_counselor_opens_a_comment_flagged_for_crisis_but_cannot_change_it(client):
    comment = make_comment(status=Comment.Status.PENDING, crisis=True, body="I want to die")
    client.force_login(make_member("co", "Counselors"))
    change = reverse("admin:contacts_comment_change", args=[comment.pk])

    page = client.get(change)

    assert page.status_code == 200
    assert "I want to die" in page.content.decode()
    client.post(change, {"author_name": "Changed", "body": "Changed", "_moderate": "approve"})
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Comment.Status.PENDING, "I want to die")


def test_a_moderator_approves_comments_but_cannot_delete_them(client):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(make_member("mo", "Moderators"))

    client.post(COMMENTS, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert client.get(reverse("admin:contacts_comment_delete", args=[comment.pk])).status_code == 403


def test_counselor_leads_export_and_counselors_do_not(client):
    message = make_message()
    for group, allowed in [("Counselors", False), ("Counselor leads", True)]:
        client.force_login(make_member(f"user-{group}", group))
        response = client.post(MESSAGES, {"action": "export_csv", "_selected_action": [message.pk]})
        assert (response.get("Content-Type", "").startswith("text/csv")) is allowed
