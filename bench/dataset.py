"""The benchmark's data set: each part is one function, so a part can be added or resized alone.

Every builder is idempotent (it replaces what an earlier run built) and returns a one-line
description that the benchmark prints.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, FaqEntry, Source

FAQ_SLUG = "opioid-induced-hyperalgesia"
LARGE_SLUG = "bench-forty-questions"
STAFF_PREFIX = "bench-staff-"
COUNSELOR = f"{STAFF_PREFIX}1"

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
    counselor = User.objects.get(username=COUNSELOR)
    counselor.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="contacts", codename__in=["view_message", "change_message", "view_messagenote"]
        )
    )
    return f"staff users: {count} (the admin list is timed as {COUNSELOR}, a counselor)"


def build_comments(*, count: int = 2000) -> str:
    """Approved comments on the large article (the issue's "2,000-comment article").

    Four in five are thread starters and one in five a reply (to every fourth thread), as on a
    busy article; a few pending and spam comments sit beside them, as moderation leaves them.
    """
    from contacts.models import Comment

    article = Article.objects.get(slug=LARGE_SLUG)
    Comment.objects.filter(article=article).delete()
    replies = count // 5
    threads = Comment.objects.bulk_create(
        (
            Comment(article=article, author_name=f"Reader {n}", author_email=f"reader{n}@example.com",
                    body=f"Thank you for this page. Question {n % 40} helped me talk to my doctor.\n"
                         "I kept a pain diary for two weeks, as suggested.",
                    status=Comment.Status.APPROVED)
            for n in range(count - replies)
        ),
        batch_size=1000,
    )  # fmt: skip
    Comment.objects.bulk_create(
        (
            Comment(article=article, parent=threads[4 * n], author_name=f"Counselor {n % 5}",
                    author_email=f"counselor{n % 5}@clinic.invalid",
                    body="Thank you for sharing this. Bring the diary to your next appointment.",
                    status=Comment.Status.APPROVED)
            for n in range(replies)
        ),
        batch_size=1000,
    )  # fmt: skip
    Comment.objects.bulk_create(
        Comment(article=article, author_name=f"Visitor {n}", author_email=f"visitor{n}@example.com",
                body=f"Cheap pills at https://spam.example/{n}", status=status)
        for n, status in enumerate([Comment.Status.PENDING] * 20 + [Comment.Status.SPAM] * 30)
    )  # fmt: skip
    return f"comments: {count:,} approved ({count - replies:,} threads, {replies:,} replies) + 50 pending/spam"


# Message states as years of use leave them: most closed, a short open queue, some spam.
MESSAGE_MIX = [("closed", 80), ("spam", 8), ("contacted", 5), ("in_progress", 4), ("new", 3)]


def build_messages(*, count: int = 100_000, batch: int = 5000) -> str:
    """Messages to counselors across all states, for the admin triage list.

    Replaces every message of the benchmark database (raw TRUNCATE or DELETEs: the ORM's cascade
    collection would load 100,000 rows), then inserts `count` in batches, received over the last three
    years; 2% urgent; all but the new ones opened and assigned to one of the staff users.
    """
    from django.db import connection

    from contacts.models import Message, MessageNote, Notification

    tables = [connection.ops.quote_name(model._meta.db_table) for model in (MessageNote, Notification, Message)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fresh storage: rows deleted by earlier runs would otherwise bloat the table and its
            # indexes (autovacuum may not have caught up), slowing the timed admin queries.
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    staff = list(get_user_model().objects.filter(username__startswith=STAFF_PREFIX).order_by("pk"))
    statuses = [status for status, share in MESSAGE_MIX for _ in range(share)]
    now = timezone.now()
    span = 3 * 365 * 86400
    methods = [Message.Method.PHONE, Message.Method.TEXT, Message.Method.EMAIL]

    def message(n: int) -> Message:
        status = statuses[(n * 7919) % len(statuses)]
        received = now - timezone.timedelta(seconds=span * (count - n) // count)
        handled = status != "new"
        return Message(
            name=f"Patient {n}", preferred_method=methods[n % 3], phone="+17085550100" if n % 3 != 2 else "",
            email=f"patient{n}@example.com" if n % 3 == 2 else "", body=f"Please call me back about treatment ({n}).",
            consent_at=received, status=status, urgent=n % 50 == 0,
            assigned_to=staff[n % len(staff)] if handled and staff else None, created_at=received,
            first_opened_at=received + timezone.timedelta(hours=1) if handled else None,
            first_contacted_at=received + timezone.timedelta(hours=2) if status in ("contacted", "closed") else None,
            spam_reason="honeypot" if status == "spam" else "", fingerprint=f"bench-{n:08d}", sent_from="/contact/",
        )  # fmt: skip

    for start in range(0, count, batch):
        Message.objects.bulk_create([message(n) for n in range(start, min(start + batch, count))])
    # Fresh planner statistics, as autovacuum keeps them in production (without them PostgreSQL
    # misjudges the filters right after a bulk load).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Message._meta.db_table)}")
    return f"messages: {count:,} (" + ", ".join(f"{share}% {status}" for status, share in MESSAGE_MIX) + "; 2% urgent)"


def build_all() -> list[str]:
    return [
        build_faq_article(),
        build_large_article(),
        build_staff(),
        build_comments(),
        build_messages(),
    ]
