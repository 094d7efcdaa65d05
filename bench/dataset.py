"""The benchmark's data set: each part is one function, so a part can be added or resized alone.

Every builder is idempotent (it replaces what an earlier run built) and returns a one-line
description that the benchmark prints. Parts that need models which do not exist yet report
"NOT BUILT" and the benchmark runs without them.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, FaqEntry, Source
from articles.services import article_content_invalidate

FAQ_SLUG = "opioid-induced-hyperalgesia"
LARGE_SLUG = "bench-forty-questions"
STAFF_PREFIX = "bench-staff-"

ANSWER = (
    "Opioid-induced hyperalgesia is a state in which **long-term opioid use** makes a person more sensitive "
    "to pain. It can look like tolerance, but raising the dose makes it worse rather than better.\n\n"
    "Talk to your prescriber before changing anything. A slow, supervised taper is usually safer than "
    "stopping at once, and [non-opioid options](https://example.org/options) can help in the meantime.\n\n"
    "- Keep a pain diary\n- Note new or spreading pain\n- Bring the list to your next appointment"
)


def build_faq_article() -> str:
    """The clinic's real FAQ article, from its seed file."""
    call_command("load_faq", "--force", verbosity=0)
    article = Article.objects.get(slug=FAQ_SLUG)
    return f"FAQ article: {article.entries.count()} entries"


def build_large_article(*, entries: int = 40, sources: int = 12) -> str:
    """An article with many FAQ entries and sources (the comments are added by build_comments)."""
    Article.objects.filter(slug=LARGE_SLUG).delete()
    article = Article.objects.create(
        title="Forty questions about pain and opioids",
        slug=LARGE_SLUG,
        lede="Everything patients ask us about pain, tolerance and tapering.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=30),
        reviewed_by="Dr. Jane Doe, MD",
        last_reviewed=timezone.now().date(),
    )
    FaqEntry.objects.bulk_create(
        FaqEntry(article=article, question=f"Question {n}: what should I know about this?", answer=ANSWER,
                 position=n * 10, anchor=f"question-{n}")
        for n in range(1, entries + 1)
    )  # fmt: skip
    Source.objects.bulk_create(
        Source(article=article, citation=f"Author {n}. A study of pain, part {n}. Journal of Pain. 2020;{n}:1-10.",
               url=f"https://example.org/study-{n}", position=n)
        for n in range(1, sources + 1)
    )  # fmt: skip
    article_content_invalidate(article_id=article.pk)
    return f"large article: {entries} entries, {sources} sources"


def build_staff(*, count: int = 20) -> str:
    """Staff accounts (counselors, moderators, editors) as the admin will have them."""
    User = get_user_model()
    User.objects.filter(username__startswith=STAFF_PREFIX).delete()
    User.objects.bulk_create(
        # "!" is Django's unusable password: the benchmark never logs them in through the form.
        User(username=f"{STAFF_PREFIX}{n}", email=f"staff{n}@clinic.invalid", is_staff=True, password="!")  # noqa: S106
        for n in range(1, count + 1)
    )
    return f"staff users: {count}"


def build_comments(*, count: int = 2000) -> str:
    """Approved comments on the large article (the issue's "2,000-comment article").

    TO FILL IN when contacts.Comment lands: delete the large article's comments, bulk_create
    `count` approved ones (spread over months, a few pending/removed ones too), then call
    article_content_invalidate(article_id=...).
    """
    if not _has_model("contacts", "Comment"):
        return f"comments: NOT BUILT ({count} wanted; no contacts.Comment model yet)"
    return f"comments: NOT BUILT ({count} wanted; fill in bench/dataset.py build_comments)"


def build_messages(*, count: int = 100_000) -> str:
    """Messages to counselors across all states, for the admin triage list.

    TO FILL IN when contacts.Message lands: delete earlier bench messages, bulk_create `count`
    in batches of 5,000 across every status (mostly closed, some new/in progress, some spam),
    with created_at spread over years.
    """
    if not _has_model("contacts", "Message"):
        return f"messages: NOT BUILT ({count:,} wanted; no contacts.Message model yet)"
    return f"messages: NOT BUILT ({count:,} wanted; fill in bench/dataset.py build_messages)"


def build_all() -> list[str]:
    return [
        build_faq_article(),
        build_large_article(),
        build_staff(),
        build_comments(),
        build_messages(),
    ]


def _has_model(app_label: str, model_name: str) -> bool:
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True
