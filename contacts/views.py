"""Public views of the contacts app."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View, csrf
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import FormView, TemplateView
from modern_csrf.decorators import csrf_protect as cross_origin_protect

from articles.models import Article
from articles.views import ArticleDetailView
from clinic.http_cache import public_page
from contacts.abuse import client_key, rate_limit_exceeded
from contacts.crisis import is_crisis
from contacts.forms import CommentForm, MessageForm
from contacts.models import Comment
from contacts.moderation import comments_are_open
from contacts.selectors import comment_page_number
from contacts.services import (
    CLOSED_MESSAGE,
    CommentRefused,
    RequestMeta,
    comment_check,
    comment_submit,
    message_is_urgent,
    message_submit,
)

# The public forms carry no per-reader token: their pages are the same for every reader and kept
# by the HTTP cache. A cross-site POST is refused from the browser's own Fetch Metadata and Origin
# headers instead (django-modern-csrf, Go's CrossOriginProtection algorithm), through
# CSRF_FAILURE_VIEW, which shows the writer's words again. Staff forms keep Django's tokens.
PUBLIC_FORM_PROTECTION = [csrf_exempt, cross_origin_protect]

# Comments

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
    view = ArticleDetailView()
    view.setup(request, slug=article.slug)
    view.object = article
    # Whatever stopped the comment, a reader who wrote in crisis language sees where to get help first.
    extra.setdefault("comment_crisis", request.method == "POST" and is_crisis(request.POST.get("comment", "")))
    context = view.get_context_data(object=article, comment_form=form, **extra)
    response = TemplateResponse(request, view.get_template_names(), context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@method_decorator([*PUBLIC_FORM_PROTECTION, sensitive_post_parameters("name", "email", "comment")], name="dispatch")
class CommentCreateView(View):
    """Receives the comment form under an article; answers with a redirect back to the article."""

    def get(self, request, slug):
        # Someone reloaded or bookmarked the form's address: show them the form.
        return redirect(get_object_or_404(Article.objects.published(), slug=slug).get_absolute_url() + "#comment-form")

    def post(self, request, slug):
        article = get_object_or_404(Article.objects.published().prefetch_related("entries", "sources"), slug=slug)
        if not comments_are_open(article):
            return self.closed(request, article)
        form = CommentForm(request.POST)
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
            comment = comment_submit(
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
        if comment.status == Comment.Status.APPROVED:
            messages.success(request, PUBLISHED_MESSAGE, extra_tags="comments")
            page = comment_page_number(comment)
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


# Messages

# The confirmation page reads what it needs (urgent or not, the contact method) from a signed
# cookie scoped to /contact/, never from its URL, and without a server-side session: patients
# get no session row, and no session cookie that would keep them off cached pages.
SENT_COOKIE = "message_sent"
SENT_COOKIE_SALT = "contacts.message-sent"
SENT_COOKIE_AGE = 60 * 60


# No message text or contact detail may reach an error report: every POST field is hidden.
@method_decorator([*PUBLIC_FORM_PROTECTION, sensitive_post_parameters()], name="dispatch")
# The blank form is the same for everyone; typed answers sent back are for this browser only.
@method_decorator(public_page, name="get")
@method_decorator(never_cache, name="post")
class MessageCreateView(FormView):
    template_name = "contacts/message_form.html"
    form_class = MessageForm
    success_url = reverse_lazy("contacts:message-sent")

    def get_initial(self):
        # The page the patient came from is filled in by the page's script (static/js/forms.js).
        return {**super().get_initial(), "sent_from": self.request.path}

    @sensitive_variables()
    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        limit, window = settings.MESSAGE_RATE_LIMIT
        limited = rate_limit_exceeded(scope="message", key=client_key(request), limit=limit, window=window)
        # An urgent message is never held back: safety beats flood control.
        if limited and not message_is_urgent(**form.urgency()):
            # Keep everything they typed on the page: only the sending waits.
            context = self.get_context_data(form=form, rate_limited=True, retry_minutes=max(1, -(-window // 60)))
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(window)
            return response
        return self.form_valid(form)

    @sensitive_variables()
    def form_valid(self, form):
        message = message_submit(
            **form.submission(),
            request_meta=RequestMeta(
                client_hash=client_key(self.request),
                sent_from=form.cleaned_data.get("sent_from", ""),
                form_token=form.cleaned_data.get("form_token", ""),
                spam_reason=form.spam_reason(),
            ),
        )
        response = redirect(self.get_success_url())
        response.set_signed_cookie(
            SENT_COOKIE,
            f"{int(message.urgent)}:{message.preferred_method}",
            salt=SENT_COOKIE_SALT,
            max_age=SENT_COOKIE_AGE,
            path=reverse("contacts:message-create"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


@method_decorator(never_cache, name="dispatch")
class MessageSentView(TemplateView):
    template_name = "contacts/message_sent.html"

    def get(self, request, *args, **kwargs):
        sent = request.get_signed_cookie(SENT_COOKIE, default="", salt=SENT_COOKIE_SALT, max_age=SENT_COOKIE_AGE)
        urgent, _, method = sent.partition(":")
        if not method:
            return redirect(reverse("contacts:message-create"))
        return super().get(request, *args, urgent=urgent == "1", method=method, **kwargs)


def resolve_or_none(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None


@sensitive_post_parameters()
@sensitive_variables()
def csrf_failure(request, reason=""):
    """A message or comment form refused by CSRF protection comes back filled in, never lost.

    The public forms are refused when the browser says the POST came from another site (a
    page saved to disk and opened later, a privacy extension, or an attack): the writer sees
    their words again, on our own page, and can press Send there; nothing was stored. Every
    other refused form (staff forms with an expired token) gets Django's standard 403 page.
    """
    if request.method != "POST":
        return csrf.csrf_failure(request, reason=reason)
    kept = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    match = resolve_or_none(request.path_info)
    if match is not None and match.view_name == "contacts:comment-create":
        article = Article.objects.published().filter(slug=match.kwargs["slug"]).first()
        if article is not None:
            comment_form = CommentForm(initial=kept)
            return article_response(request, article, form=comment_form, status=403, comment_csrf_failed=True)
    if request.path != reverse("contacts:message-create"):
        return csrf.csrf_failure(request, reason=reason)
    form = MessageForm(initial=kept)
    return render(request, "contacts/message_form.html", {"form": form, "csrf_failed": True}, status=403)
