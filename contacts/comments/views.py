"""The comment form's POST: a comment arriving under an article.

The answer is a redirect back to the article, or the article page again (`articles.pages`) with
the reader's form, its errors and their words kept, which the page's `{% comment_section %}` tag
shows (see `contacts.templatetags.comment_tags` for what this view passes it).
"""

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import SimpleTemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from articles.models import Article
from articles.pages import article_page
from clinic.csrf import public_form
from clinic.http_methods import AllowedMethodsMixin
from contacts.abuse import client_key, rate_limit_exceeded
from contacts.comments.forms import CommentForm
from contacts.comments.models import Comment
from contacts.comments.moderation import comments_are_open
from contacts.comments.selectors import comment_page_number
from contacts.comments.services import CLOSED_MESSAGE, CommentRefused, comment_check, comment_submit
from contacts.crisis import is_crisis
from contacts.outage import not_stored_answer, not_stored_status

TOO_QUICK_MESSAGE = "You are posting too quickly. Slow down. Wait a few seconds, then send your comment again."
TOO_MANY_MESSAGE = (
    "You have posted several comments in a short time. Please wait ten minutes, then send your comment again."
)
PENDING_MESSAGE = "Thank you. Your comment is awaiting moderation."
# Shown above PENDING_MESSAGE, with the 911 / 988 guidance, when the comment reads as a crisis.
CRISIS_MESSAGE = "Your comment reads as if you may be going through something very hard."
PUBLISHED_MESSAGE = "Your comment is published."


def article_response(
    request, article: Article, *, form: CommentForm | None, status: int, retry_after: int | None = None, **extra
):
    """The article page again, with the reader's form (values and errors kept) and `status`."""
    # Whatever stopped the comment, a reader who wrote in crisis language sees where to get help first.
    extra.setdefault("comment_crisis", request.method == "POST" and is_crisis(request.POST.get("comment", "")))
    response = article_page(request, article, context={"comment_form": form, **extra}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# The page shown after a database failure when the article page cannot be drawn either.
NOT_POSTED_TEMPLATE = "contacts/comment_not_posted.html"


@method_decorator(sensitive_post_parameters("name", "email", "comment"), name="dispatch")
# Whatever answers a POST may hold the reader's words: no cache keeps it.
@method_decorator(never_cache, name="post")
@public_form
class CommentCreateView(AllowedMethodsMixin, View):
    """Receives the comment form under an article; answers with a redirect back to the article."""

    http_method_names = ["get", "head", "options", "post"]

    def get(self, request, slug):
        # Someone reloaded or bookmarked the form's address: show them the form.
        return redirect(get_object_or_404(Article.objects.published(), slug=slug).get_absolute_url() + "#comment-form")

    def post(self, request, slug):
        form = CommentForm(request.POST)
        article = None
        try:
            article = get_object_or_404(Article.objects.published().prefetch_related("entries", "sources"), slug=slug)
            answer = self.receive(request, article, form)
            if isinstance(answer, SimpleTemplateResponse):
                # Drawn here, inside the `try`: the article page reads the database too.
                return answer.render()
        except DatabaseError as exc:
            return self.not_posted(request, slug, article, form, exc)
        if isinstance(answer, Comment):
            return self.posted(request, article, answer)
        return answer

    def receive(self, request, article: Article, form: CommentForm):
        """Check and store the comment: the stored `Comment`, or the answer saying why it was not stored."""
        if not comments_are_open(article):
            return self.closed(request, article)
        if not form.is_valid():
            return article_response(request, article, form=form, status=400)
        data = form.cleaned_data
        try:
            # Refusals first, so a reader who fixes a mistake is never told they post too quickly.
            comment_check(article=article, author_email=data["email"], body=data["comment"], parent_id=data["parent"])
        except CommentRefused as refusal:
            return self.refused(request, article, form, refusal)
        key = client_key(request)
        if rate_limit_exceeded(scope="comment-flood", key=key, limit=1, window=settings.COMMENT_FLOOD_SECONDS):
            form.add_error(None, TOO_QUICK_MESSAGE)
            return article_response(request, article, form=form, status=429, retry_after=settings.COMMENT_FLOOD_SECONDS)
        if rate_limit_exceeded(
            scope="comment", key=key, limit=settings.COMMENT_RATE_LIMIT, window=settings.COMMENT_RATE_WINDOW
        ):
            form.add_error(None, TOO_MANY_MESSAGE)
            return article_response(request, article, form=form, status=429, retry_after=settings.COMMENT_RATE_WINDOW)
        try:
            return comment_submit(
                article=article,
                author_name=data["name"],
                author_email=data["email"],
                body=data["comment"],
                parent_id=data["parent"],
                client_hash=key,
                spam_reason=form.spam_reason(),
            )
        except CommentRefused as refusal:
            return self.refused(request, article, form, refusal)

    def posted(self, request, article: Article, comment: Comment):
        """The redirect back to the article after the comment was stored, with what happens to it next."""
        if comment.status == Comment.Status.APPROVED:
            messages.success(request, PUBLISHED_MESSAGE, extra_tags="comments")
            try:
                page = comment_page_number(comment)
            except DatabaseError:
                page = 1  # stored all the same: only the page it is on could not be read
            query = f"?cpage={page}" if page > 1 else ""
            return redirect(f"{article.get_absolute_url()}{query}#comment-{comment.pk}")
        if comment.crisis:
            messages.warning(request, CRISIS_MESSAGE, extra_tags="comments crisis")
        # Spam gets the same answer as a pending comment: a bot learns nothing from it.
        messages.success(request, PENDING_MESSAGE, extra_tags="comments")
        return redirect(article.get_absolute_url() + "#comments")

    def closed(self, request, article):
        # No form on a closed article: the reader's text is shown back so it is not lost.
        text = request.POST.get("comment", "")
        return article_response(request, article, form=None, status=403, comment_refused_text=text)

    def refused(self, request, article, form, refusal: CommentRefused):
        if refusal.message == CLOSED_MESSAGE:
            return self.closed(request, article)
        if refusal.field is None:
            # The reply target vanished: the form is shown again as a new comment.
            form.data = form.data.copy()
            form.data["parent"] = ""
        form.add_error(refusal.field, refusal.message)
        return article_response(request, article, form=form, status=400)

    @sensitive_variables()
    def not_posted(self, request, slug: str, article: Article | None, form: CommentForm, exc: DatabaseError):
        """The reader's form again, filled in, with "Your comment was NOT posted" (`contacts.outage`).

        On the article page when the article was read before the failure (a write that failed, a
        lock); otherwise, or if that page cannot be drawn either, on a page of its own that needs
        no database: the words, the clinic's phone and the crisis numbers.
        """
        status = not_stored_status(exc)
        crisis = is_crisis(request.POST.get("comment", ""))
        response = None
        if article is not None:
            try:
                response = article_response(
                    request, article, form=form, status=status, comment_crisis=crisis, comment_not_posted=True
                ).render()
            except DatabaseError:
                response = None
        if response is None:
            context = {"form": form, "slug": slug, "comment_crisis": crisis}
            response = render(request, NOT_POSTED_TEMPLATE, context, status=status)
        return not_stored_answer(request, response, exc, what="comment")

    @classmethod
    @sensitive_variables()
    def csrf_refused(cls, request, kept: dict, slug: str):
        """The article page with the form filled in again, after a refused cross-site POST (`clinic.csrf`).

        None for an article that is not published: the standard refusal page is shown instead.
        """
        article = Article.objects.published().filter(slug=slug).first()
        if article is None:
            return None
        return article_response(request, article, form=CommentForm(initial=kept), status=403, comment_csrf_failed=True)
