"""The comment queue's own admin views: one-click moderation per row, replies from the clinic, "view in thread".

Each is its own admin URL (the admin's login, CSRF and never-cache wrapping apply), checked
against the permission its service needs, and leads back to the queue with its filters kept.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from contacts.comments.forms import COMMENT_MAX_LENGTH
from contacts.comments.models import Comment
from contacts.comments.selectors import comment_page_number
from contacts.comments.services import (
    CommentRefused,
    clinic_team_name,
    comment_approve,
    comment_mark_spam,
    comment_reply_as_clinic,
    comment_trash,
    comment_unapprove,
)

MODERATION_BUTTONS: dict[str, tuple[Callable[..., int], str]] = {
    "approve": (comment_approve, "approved"),
    "unapprove": (comment_unapprove, "moved back to pending"),
    "spam": (comment_mark_spam, "marked as spam"),
    "trash": (comment_trash, "moved to the trash"),
}


class ClinicReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="Shown on the article at once, under this comment's thread. Plain text; links are marked nofollow.",
    )
    sign_with_name = forms.BooleanField(
        label="Sign with my name",
        required=False,
        help_text="Unticked, the reply is signed as the clinic's team and your name is not shown.",
    )


def comment_queue_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    """The URLs of the queue's row buttons, reply page and thread link, to put before the admin's own."""
    wrap = model_admin.admin_site.admin_view

    def bind(view: Callable) -> Callable:
        def bound(request: HttpRequest, object_id: int, **kwargs) -> HttpResponse:
            return view(request, object_id, model_admin=model_admin, **kwargs)

        return wrap(bound)

    return [
        path("<int:object_id>/moderate/<str:choice>/", bind(moderate), name="contacts_comment_moderate"),
        path("<int:object_id>/reply/", bind(reply), name="contacts_comment_reply"),
        path("<int:object_id>/thread/", bind(thread), name="contacts_comment_thread"),
    ]


@require_POST
def moderate(request: HttpRequest, object_id: int, choice: str, *, model_admin: ModelAdmin) -> HttpResponse:
    """One row's button: the state changes through the service, so who and when is recorded.

    A pending comment flagged for crisis language is approved only after a confirmation page:
    as with the bulk action, a moderator must make sure a counselor has seen it first.
    """
    if choice not in MODERATION_BUTTONS:
        raise Http404("No such moderation.")
    if not _may_moderate(model_admin, request):
        raise PermissionDenied
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=object_id)
    back = _back_to_list(request)
    if (
        choice == "approve"
        and comment.crisis
        and comment.status == Comment.Status.PENDING
        and request.POST.get("crisis_confirmed") != "yes"
    ):
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": f"Approve comment #{comment.pk}, flagged for crisis language?",
            "comment": comment,
            "back": back,
            "change_url": reverse("admin:contacts_comment_change", args=[comment.pk]),
        }
        return TemplateResponse(request, "admin/contacts/comment/confirm_crisis_approve.html", context)
    service, done = MODERATION_BUTTONS[choice]
    if service(comments=[comment], moderator=request.user):
        model_admin.message_user(request, f"Comment #{comment.pk} {done}.", messages.SUCCESS)
    else:
        model_admin.message_user(request, f"Comment #{comment.pk} was already {done}.", messages.INFO)
    return HttpResponseRedirect(back)


def reply(request: HttpRequest, object_id: int, *, model_admin: ModelAdmin) -> HttpResponse:
    """Reply as the clinic: published at once under the comment's thread (see `comment_reply_as_clinic`)."""
    if not _may_moderate(model_admin, request):
        raise PermissionDenied
    comment = get_object_or_404(Comment.objects.select_related("article", "parent"), pk=object_id)
    form = ClinicReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_reply = comment_reply_as_clinic(
                comment=comment,
                body=form.cleaned_data["body"],
                staff_user=request.user,
                sign_with_name=form.cleaned_data["sign_with_name"],
            )
        except CommentRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            thread_url = reverse("admin:contacts_comment_thread", args=[clinic_reply.pk])
            model_admin.message_user(
                request,
                format_html(
                    'Your reply to comment #{} was published as "{}". <a href="{}">View it in the thread</a>',
                    comment.pk,
                    clinic_reply.author_name,
                    thread_url,
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(_back_to_list(request))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Reply to comment #{comment.pk} as the clinic",
        "comment": comment,
        "form": form,
        "team_name": clinic_team_name(),
        "replyable": comment.status == Comment.Status.APPROVED
        and (comment.parent is None or comment.parent.status == Comment.Status.APPROVED),
        "back": _back_to_list(request),
        "change_url": reverse("admin:contacts_comment_change", args=[comment.pk]),
    }
    return TemplateResponse(request, "admin/contacts/comment/reply.html", context)


def thread(request: HttpRequest, object_id: int, *, model_admin: ModelAdmin) -> HttpResponse:
    """To the comment on the article page, on the comments page its thread is on; a comment
    that is not public yet leads to its thread's place if that is public, else to the comments."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    comment = get_object_or_404(Comment.objects.select_related("article", "parent"), pk=object_id)
    shown: Comment | None = comment
    if comment.status != Comment.Status.APPROVED:
        parent = comment.parent
        shown = parent if parent is not None and parent.status == Comment.Status.APPROVED else None
    article_url = comment.article.get_absolute_url()
    if shown is None:
        return HttpResponseRedirect(f"{article_url}#comments")
    page = comment_page_number(shown)
    query = f"?cpage={page}" if page > 1 else ""
    return HttpResponseRedirect(f"{article_url}{query}#comment-{shown.pk}")


# Helpers


def _may_moderate(model_admin: ModelAdmin, request: HttpRequest) -> bool:
    """The admin's own `has_moderate_permission` (the permission its "moderate" actions ask for)."""
    return model_admin.has_moderate_permission(request)  # type: ignore[attr-defined]


def _back_to_list(request: HttpRequest) -> str:
    """The changelist as the moderator left it (its filters came along as `_changelist_filters`)."""
    url = reverse("admin:contacts_comment_changelist")
    filters = QueryDict(request.GET.get("_changelist_filters", "")).urlencode()
    return f"{url}?{filters}" if filters else url
