"""The comment section of an article page, as readers see it: reads only, no writes.

The article page (`articles.views`) and the comment views both build it from here, so neither
app's views import the other's.
"""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Q

from articles.models import Article
from contacts.forms import CommentForm
from contacts.models import Comment
from contacts.moderation import comments_are_open

COMMENTS_PER_PAGE = 50


def comment_section(request, article: Article, *, form: CommentForm | None = None) -> dict:
    """Context for `includes/_comments.html`: one page of approved threads, the form and the reply target.

    Two queries (the counts, then the page's threads with their replies); a reply target adds
    one. No query ever loads an author's email.
    """
    counts = _comment_counts(article)
    # Only the page arithmetic: the page's comments are read below.
    page = Paginator(range(counts["threads"]), COMMENTS_PER_PAGE).get_page(request.GET.get("cpage"))
    reply_to = None
    is_open = comments_are_open(article)
    if form is None and is_open:
        reply_to = shown_comment(article, request.GET.get("replyto"))
        form = CommentForm(initial={"parent": reply_to.pk if reply_to else ""})
    elif form is not None:
        reply_to = shown_comment(article, form["parent"].value())
    return {
        "comment_total": counts["total"],
        "comment_threads": _comment_threads(article, page.number),
        "comment_page": page,
        "comment_page_query": f"?cpage={page.number}" if page.number > 1 else "",
        "comments_open": is_open,
        "comment_form": form,
        "comment_reply_to": reply_to,
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
    threads, replies = [], defaultdict(list)
    for comment in rows:
        (threads if comment.parent_id is None else replies[comment.parent_id]).append(comment)
    for thread in threads:
        thread.thread_replies = replies[thread.pk]
    return threads


def shown_comment(article: Article, comment_id) -> Comment | None:
    """The approved comment of this article with this id (from a URL or a hidden field), or None."""
    if not comment_id or not str(comment_id).isdigit() or int(comment_id) >= 2**63:
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
