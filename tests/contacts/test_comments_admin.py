import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from contacts.models import Comment
from tests.factories import elapsed_ms, make_article, make_comment, make_editor, make_moderator, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:contacts_comment_changelist")


def make_editor_who_sees_comments():
    """An editor allowed to read and edit comments but not to moderate them."""
    user = make_editor("commenteditor")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="contacts", codename__in=["view_comment", "change_comment"])
    )
    return user


def run_action(client, action, comments, follow=True):
    return client.post(
        CHANGELIST + "?status=all",
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=follow,
    )


def test_the_comment_list_opens_on_the_pending_queue(client):
    article = make_article(title="Pain article")
    make_comment(article, body="Waiting comment", status=Comment.Status.PENDING)
    make_comment(article, body="Already approved", status=Comment.Status.APPROVED)
    client.force_login(make_moderator())

    body = client.get(CHANGELIST).content.decode()

    assert "Waiting comment" in body
    assert "Already approved" not in body
    assert "Pending (1)" in body
    assert "Pain article" in body
    for column in ("Comment", "Name", "Article", "Status", "Created at"):
        assert column in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?status=approved", "Already approved", "Waiting comment"),
        ("?status=spam", "Buy pills", "Already approved"),
        ("?status=trash", "Thrown away", "Buy pills"),
        ("?status=all", "Thrown away", "nothing-hidden"),
    ],
)
def test_the_state_filter_shows_each_state_and_all(client, query, shown, hidden):
    article = make_article()
    make_comment(article, body="Waiting comment", status=Comment.Status.PENDING)
    make_comment(article, body="Already approved", status=Comment.Status.APPROVED)
    make_comment(article, body="Buy pills", status=Comment.Status.SPAM)
    make_comment(article, body="Thrown away", status=Comment.Status.TRASH)
    client.force_login(make_moderator())

    body = client.get(CHANGELIST + query).content.decode()

    assert shown in body
    assert hidden not in body


def test_the_article_filter_narrows_the_list(client):
    one, two = make_article(title="One"), make_article(title="Two")
    make_comment(one, body="On one", status=Comment.Status.PENDING)
    make_comment(two, body="On two", status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    body = client.get(CHANGELIST + f"?article__id__exact={one.pk}").content.decode()

    assert "On one" in body
    assert "On two" not in body


@pytest.mark.parametrize("term", ["Jordan", "jordan@example.com", "withdrawal"])
def test_search_finds_comments_by_author_name_email_and_text(client, term):
    make_comment(author_name="Jordan", author_email="jordan@example.com", body="About withdrawal", status="pending")
    make_comment(author_name="Other", author_email="other@example.com", body="Unrelated", status="pending")
    client.force_login(make_moderator())

    body = client.get(CHANGELIST, {"q": term}).content.decode()

    assert "About withdrawal" in body
    assert "Unrelated" not in body


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", Comment.Status.APPROVED),
        ("unapprove", Comment.Status.PENDING),
        ("mark_spam", Comment.Status.SPAM),
        ("trash", Comment.Status.TRASH),
    ],
)
def test_a_moderator_applies_each_bulk_action_through_the_services(client, action, status):
    moderator = make_moderator()
    comments = [make_comment(status=Comment.Status.PENDING), make_comment(status=Comment.Status.APPROVED)]
    client.force_login(moderator)

    response = run_action(client, action, comments)

    assert response.status_code == 200
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == status
    changed = [c for c in comments if c.moderated_by_id]
    assert changed and all(c.moderated_by == moderator and c.moderated_at for c in changed)
    assert f"{len(changed)} comment(s)" in response.content.decode()


def test_an_approved_comment_appears_on_the_article(client, django_capture_on_commit_callbacks):
    article = make_article()
    comment = make_comment(article, body="Thank you for this page", status=Comment.Status.PENDING)
    client.force_login(make_moderator())
    assert "Thank you for this page" not in client.get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the cache is invalidated after commit
        run_action(client, "approve", [comment])

    assert "Thank you for this page" in client.get(article.get_absolute_url()).content.decode()


def test_an_editor_who_is_not_a_moderator_sees_no_actions_and_cannot_approve(client):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(make_editor_who_sees_comments())

    listing = client.get(CHANGELIST).content.decode()
    run_action(client, "approve", [comment])

    assert "Approve selected comments" not in listing
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_by is None


def test_the_change_form_cannot_change_the_state(client):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(make_moderator())
    url = reverse("admin:contacts_comment_change", args=[comment.pk])

    client.post(
        url,
        {"author_name": "Fixed", "author_email": comment.author_email, "body": "Redacted text", "status": "approved"},
    )

    comment.refresh_from_db()
    assert comment.author_name == "Fixed"
    assert comment.body == "Redacted text"
    assert comment.status == Comment.Status.PENDING


def test_the_change_form_links_to_other_comments_from_the_same_sender(client):
    first = make_comment(client_hash="feedbeef", body="First from sender", status=Comment.Status.SPAM)
    make_comment(client_hash="feedbeef", body="Second from sender", status=Comment.Status.PENDING)
    make_comment(client_hash="other", body="From someone else", status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    form = client.get(reverse("admin:contacts_comment_change", args=[first.pk])).content.decode()
    listing = client.get(CHANGELIST + "?client_hash=feedbeef&status=all").content.decode()

    assert f"{CHANGELIST}?client_hash=feedbeef&amp;status=all" in form
    assert "First from sender" in listing and "Second from sender" in listing
    assert "From someone else" not in listing


def test_the_admin_index_shows_how_many_comments_are_pending(client):
    make_comment(status=Comment.Status.PENDING)
    make_comment(status=Comment.Status.PENDING)
    make_comment(status=Comment.Status.APPROVED)
    client.force_login(make_moderator())

    body = client.get(reverse("admin:index")).content.decode()

    assert "2 comments waiting for moderation." in body
    assert f'href="{CHANGELIST}?status=pending"' in body


def test_the_admin_index_hides_the_count_from_staff_who_cannot_see_comments(client):
    make_comment(status=Comment.Status.PENDING)
    client.force_login(make_staff("viewer"))

    body = client.get(reverse("admin:index")).content.decode()

    assert "waiting for moderation" not in body


def change_form_post(comment, **extra):
    data = {"author_name": comment.author_name, "author_email": comment.author_email, "body": comment.body}
    data.update(extra)
    return data


def test_a_moderator_saves_and_approves_from_the_change_form(client):
    moderator = make_moderator()
    comment = make_comment(status=Comment.Status.PENDING, body="My name is Pat and my number is 555-0100")
    client.force_login(moderator)
    url = reverse("admin:contacts_comment_change", args=[comment.pk])
    assert "Save and approve" in client.get(url).content.decode()

    response = client.post(url, change_form_post(comment, body="[personal details removed]", _moderate="approve"))

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    comment.refresh_from_db()
    assert comment.body == "[personal details removed]"
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator


def test_the_change_form_offers_no_moderation_to_a_non_moderator_and_ignores_a_forged_button(client):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(make_editor_who_sees_comments())
    url = reverse("admin:contacts_comment_change", args=[comment.pk])

    assert "Save and approve" not in client.get(url).content.decode()
    client.post(url, change_form_post(comment, _moderate="approve"))

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_reader_comments_a_moderator_approves_it_from_the_queue_and_it_appears(
    client, settings, django_capture_on_commit_callbacks
):
    settings.MODERATORS_EMAIL = ["mods@clinic.test"]
    article = make_article()
    client.post(
        reverse("contacts:comment-create", kwargs={"slug": article.slug}),
        {"name": "Robin", "email": "robin@example.com", "comment": "Is tapering safe?", "elapsed": elapsed_ms(60)},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148",
    )
    assert "Is tapering safe?" not in client.get(article.get_absolute_url()).content.decode()

    client.force_login(make_moderator())
    queue = client.get(CHANGELIST).content.decode()
    comment = Comment.objects.get()
    assert "Is tapering safe?" in queue
    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, "approve", [comment])
    client.logout()

    assert "Is tapering safe?" in client.get(article.get_absolute_url()).content.decode()
