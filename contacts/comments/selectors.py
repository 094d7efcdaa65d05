"""Reads of comments: the comment section as readers see it, and the checks a new comment needs.

No writes here. The article page gets its comment section through the `{% comment_section %}`
template tag (`contacts/templatetags/comment_tags.py`), which reads it from here, so the
`articles` app never imports `contacts`.
"""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Q

from articles.models import Article
from contacts.comments.models import Comment
from contacts.comments.moderation import comments_are_open

COMMENTS_PER_PAGE = 50


def comment_section(article: Article, *, page: str | None = None, reply_to: str | int | None = None) -> dict:
    """Context for `includes/_comments.html`, without the form: one page of approved threads and the reply target.

    `page` is the `?cpage=` asked for (any value: a bad one gives the first or last page);
    `reply_to` the id of the comment being answered, from `?replyto=` or the form's hidden field
    (anything that is not an approved comment of this article is ignored). Two queries (the
    counts, then the page's threads with their replies); a reply target adds one. No query ever
    loads an author's email.
    """
    counts = _comment_counts(article)
    # Only the page arithmetic: the page's comments are read below.
    paginator_page = Paginator(range(counts["threads"]), COMMENTS_PER_PAGE).get_page(page)
    return {
        "comment_total": counts["total"],
        "comment_threads": _comment_threads(article, paginator_page.number),
        "comment_page": paginator_page,
        "comment_page_query": f"?cpage={paginator_page.number}" if paginator_page.number > 1 else "",
        "comments_open": comments_are_open(article),
        "comment_reply_to": shown_comment(article, reply_to),
    }


def _comment_counts(article: Article) -> dict:
    return (
        Comment.objects.approved()
        .filter(article=article)
        .aggregate(total=Count("id"), threads=Count("id", filter=Q(parent__isnull=True)))
    )


def _comment_threads(article: Article, page_number: int) -> list[Comment]:
    """The page's approved top-level comments, each with `thread_replies`, in one query."""
    start = (page_number - 1) * COMMENTS_PER_PAGE
    page_ids = Comment.objects.public_threads(article).values("id")[start : start + COMMENTS_PER_PAGE]
    rows = (
        Comment.objects.approved()
        .filter(article=article)
        .filter(Q(pk__in=page_ids) | Q(parent_id__in=page_ids))
        .public_fields()
        .order_by("created_at", "id")
    )
    threads: list[Comment] = []
    replies: defaultdict[int, list[Comment]] = defaultdict(list)
    for comment in rows:
        (threads if comment.parent_id is None else replies[comment.parent_id]).append(comment)
    for thread in threads:
        thread.thread_replies = replies[thread.pk]
    return threads


def shown_comment(article: Article, comment_id) -> Comment | None:
    """The approved comment of this article with this id (from a URL or a hidden field), or None."""
    text = str(comment_id or "")
    # ASCII digits, and few: int() refuses "²" (a digit to isdigit()) and any number over 4,300 digits long.
    if not (text.isascii() and text.isdigit() and len(text) < 20) or int(text) >= 2**63:
        return None
    return Comment.objects.approved().filter(article=article, pk=comment_id).public_fields().first()


def comment_page_number(comment: Comment) -> int:
    """The comments page (`?cpage=`) on which an approved comment's thread is shown."""
    thread = comment.parent or comment
    earlier = (
        Comment.objects.public_threads(thread.article)
        .filter(Q(created_at__lt=thread.created_at) | Q(created_at=thread.created_at, id__lt=thread.pk))
        .count()
    )
    return earlier // COMMENTS_PER_PAGE + 1


def comment_is_duplicate(*, article, author_email: str, body: str) -> bool:
    """True when this author already left this exact text on this article (trashed comments aside)."""
    return Comment.objects.copies_of(article=article, author_email=author_email, body=body).exists()
