"""Small builders for test data: `make_article(**overrides)` and friends."""

import itertools
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.utils import timezone

from articles.models import Article, FaqEntry, Source
from contacts.abuse import SIGNING_SALT
from contacts.models import Comment

_counter = itertools.count(1)


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


def make_staff(username: str = "staff", *, perms: list[str] = (), superuser: bool = False, **overrides):
    """A staff user holding the given permissions ("app_label.codename")."""
    User = get_user_model()
    user = User.objects.create_user(
        username=username, password="a-long-test-password", is_staff=True, is_superuser=superuser, **overrides
    )
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def make_editor(username: str = "editor"):
    return make_staff(
        username,
        perms=[
            f"articles.{action}_{model}"
            for model in ("article", "faqentry", "source")
            for action in ("view", "add", "change", "delete")
        ],
    )


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
    return make_staff(username, perms=["contacts.can_moderate", "contacts.view_comment", "contacts.change_comment"])


def started_ago(seconds: float = 60) -> str:
    """A signed form start time `seconds` in the past, as the comment and message forms carry."""
    return signing.dumps(time.time() - seconds, salt=SIGNING_SALT)
