"""Small builders for test data: `make_article(**overrides)` and friends."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, FaqEntry, Source
from clinic.roles import COUNSELOR_LEADS, COUNSELORS, EDITORS, MODERATORS, ROLES, roles_sync
from contacts.models import Comment, Message

_counter = itertools.count(1)

# The password of every staff user built here (tests sign in with it through the login form).
STAFF_PASSWORD = "a-long-test-password"


def make_article(**overrides) -> Article:
    n = next(_counter)
    fields = {
        "title": f"Article {n}",
        "slug": f"article-{n}",
        "lede": "A short summary.",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timezone.timedelta(days=1),
    }
    fields.update(overrides)
    return Article.objects.create(**fields)


def make_draft(**overrides) -> Article:
    return make_article(status=Article.Status.DRAFT, published_at=None, **overrides)


def make_entry(article: Article, **overrides) -> FaqEntry:
    n = next(_counter)
    fields = {"question": f"Question {n}?", "answer": f"Answer {n}.", "position": n, "anchor": f"question-{n}"}
    fields.update(overrides)
    return FaqEntry.objects.create(article=article, **fields)


def make_source(article: Article, **overrides) -> Source:
    fields = {"citation": "Doe J. A study of pain. Journal of Pain. 2020;1:1-10.", "position": 1}
    fields.update(overrides)
    return Source.objects.create(article=article, **fields)


def make_staff(username: str = "staff", *, superuser: bool = False, **overrides):
    """A staff user with no permissions (all of them as a superuser); signs in with `STAFF_PASSWORD`."""
    User = get_user_model()
    return User.objects.create_user(
        username=username, password=STAFF_PASSWORD, is_staff=True, is_superuser=superuser, **overrides
    )


def make_member(username: str, *roles: str):
    """A staff user in the given roles of `clinic.roles` (`make_member("sam", COUNSELORS)`), nothing else.

    The groups get exactly the permissions `clinic.roles.ROLES` gives them now (`roles_sync`), so
    tests check the roles as defined, whatever state the migration or an earlier test left.
    """
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"no such role: {', '.join(sorted(unknown))}"
    roles_sync()
    user = make_staff(username)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


def make_editor(username: str = "editor"):
    return make_member(username, EDITORS)


# Comments


def make_comment(article: Article | None = None, **overrides):
    """A comment stored directly (no moderation rules); approved unless `status` says otherwise."""
    n = next(_counter)
    fields = {
        "article": article or make_article(),
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "body": f"Comment text {n}.",
        "status": Comment.Status.APPROVED,
    }
    fields.update(overrides)
    return Comment.objects.create(**fields)


def make_moderator(username: str = "moderator"):
    return make_member(username, MODERATORS)


def elapsed_ms(seconds: float = 60) -> str:
    """How long a form was open, as the page's script writes it into the `elapsed` field."""
    return str(int(seconds * 1000))


# A patient's answers as `message_submit` takes them (with a `request_meta` of the test's own).
PATIENT = {
    "name": "Jordan Private",
    "preferred_method": "phone",
    "phone": "+17086134751",
    "email": "jordan.private@example.com",
    "best_time": "after 6",
    "body": "My secret message about my treatment.",
    "voicemail_ok": False,
    "clinic_name_ok": False,
}


def message_post_data(**overrides) -> dict:
    """A complete, valid POST for the message form, from a patient who took their time."""
    data = {
        "name": "Sam",
        "preferred_method": "phone",
        "phone": "(708) 613-4751",
        "email": "",
        "best_time": "Weekday evenings",
        "body": "I would like to talk about starting treatment.",
        "voicemail_ok": "no",
        "clinic_name_ok": "no",
        "consent": "on",
        "sent_from": "/",
        "elapsed": elapsed_ms(),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_message(**overrides) -> Message:
    """A stored message (bypassing the form and the notification), for admin and query tests."""
    n = next(_counter)
    fields = {
        "name": f"Patient {n}",
        "preferred_method": Message.Method.PHONE,
        "phone": "+17086134751",
        "body": f"Message text {n}.",
        "consent_at": timezone.now(),
        "fingerprint": f"fingerprint-{n}",
    }
    fields.update(overrides)
    return Message.objects.create(**fields)


def make_counselor(username: str = "counselor", *, export: bool = False):
    """A counselor: works messages and notes, cannot delete; a counselor lead (who exports) when `export`."""
    return make_member(username, COUNSELOR_LEADS if export else COUNSELORS)
