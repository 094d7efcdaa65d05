"""The message page's own admin views: one-click triage buttons, the inline note, the print view.

Each button is a POST to its own admin URL (the admin's login, CSRF and never-cache wrapping
apply), checked against the permission its service needs, and redirects back to the message
page with the list's filters kept, so "← Previous" / "Next →" still walk the same queue.
"""

from collections.abc import Callable
from copy import copy

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldError, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST, require_safe

from contacts.messages.models import Message, MessageNote
from contacts.messages.selectors import message_neighbours, message_timeline
from contacts.messages.services import (
    message_assign,
    message_note_add,
    message_notify_again,
    message_print_record,
    message_set_status,
)

NOTE_MAX_LENGTH = MessageNote._meta.get_field("text").max_length

# Which statuses each status button applies to, and where it takes the message.
STATUS_BUTTONS = {
    "contacted": ({Message.Status.NEW, Message.Status.IN_PROGRESS}, "Marked as contacted."),
    "close": ({Message.Status.NEW, Message.Status.IN_PROGRESS, Message.Status.CONTACTED}, "Closed."),
    "reopen": ({Message.Status.CLOSED, Message.Status.SPAM}, "Reopened."),
}


def message_page_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    """The URLs of the message page's buttons and print view, to put before the admin's own."""
    wrap = model_admin.admin_site.admin_view

    def bind(view: Callable) -> Callable:
        def bound(request: HttpRequest, object_id: str) -> HttpResponse:
            return view(request, object_id, model_admin=model_admin)

        return wrap(bound)

    return [
        path("<path:object_id>/assign-to-me/", bind(assign_to_me), name="contacts_message_assign_to_me"),
        path("<path:object_id>/contacted/", bind(mark_contacted), name="contacts_message_contacted"),
        path("<path:object_id>/close/", bind(close), name="contacts_message_close"),
        path("<path:object_id>/reopen/", bind(reopen), name="contacts_message_reopen"),
        path("<path:object_id>/note/", bind(add_note), name="contacts_message_note"),
        path("<path:object_id>/notify-again/", bind(notify_again), name="contacts_message_notify_again"),
        path("<path:object_id>/print/", bind(print_view), name="contacts_message_print"),
    ]


def message_page_context(model_admin: ModelAdmin, request: HttpRequest, message: Message) -> dict:
    """What the message page shows above the form: status, the buttons that apply, neighbours, timeline."""
    user = request.user
    may_change = model_admin.has_change_permission(request, message)
    previous_id, next_id = _neighbours(model_admin, request, message)
    return {
        "message_status": message.get_status_display(),
        "buttons": {
            "assign_to_me": may_change and message.assigned_to_id != user.pk,
            **{name: may_change and message.status in allowed for name, (allowed, _) in STATUS_BUTTONS.items()},
            "notify_again": may_change and message.status != Message.Status.SPAM,
            "note": user.has_perm("contacts.add_messagenote"),
        },
        "previous_url": _change_url(model_admin, request, previous_id) if previous_id else None,
        "next_url": _change_url(model_admin, request, next_id) if next_id else None,
        "timeline": message_timeline(message),
    }


# The buttons


@require_POST
def assign_to_me(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    message = _message_to_change(request, object_id, model_admin)
    if message_assign(message=message, assignee=request.user, by=request.user):
        model_admin.message_user(request, "Assigned to you.", messages.SUCCESS)
    else:
        model_admin.message_user(request, "It was already assigned to you.", messages.INFO)
    return _back(model_admin, request, message)


@require_POST
def mark_contacted(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    return _status_button(request, object_id, model_admin, "contacted", Message.Status.CONTACTED)


@require_POST
def close(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    return _status_button(request, object_id, model_admin, "close", Message.Status.CLOSED)


@require_POST
def reopen(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    message = _message_to_change(request, object_id, model_admin)
    status = Message.Status.IN_PROGRESS if message.assigned_to_id else Message.Status.NEW
    return _status_button(request, object_id, model_admin, "reopen", status, message=message)


@require_POST
def add_note(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    if not request.user.has_perm("contacts.add_messagenote"):
        raise PermissionDenied
    message = _message(request, object_id, model_admin)
    text = request.POST.get("text", "").strip()
    if not text:
        model_admin.message_user(request, "The note was empty: nothing was added.", messages.WARNING)
    elif len(text) > NOTE_MAX_LENGTH:
        model_admin.message_user(
            request, f"Notes can be at most {NOTE_MAX_LENGTH} characters: nothing was added.", messages.ERROR
        )
    else:
        message_note_add(message=message, author=request.user, text=text)
        model_admin.message_user(request, "Note added.", messages.SUCCESS)
    return _back(model_admin, request, message)


@require_POST
def notify_again(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    message = _message_to_change(request, object_id, model_admin)
    if message_notify_again(message=message, by=request.user):
        model_admin.message_user(request, "The counselors' notification was queued again.", messages.SUCCESS)
    else:
        model_admin.message_user(
            request, "No counselors' address is configured: nobody can be notified.", messages.WARNING
        )
    return _back(model_admin, request, message)


@require_safe
def print_view(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    message = _message(request, object_id, model_admin)
    if not model_admin.has_view_permission(request, message):
        raise PermissionDenied
    message_print_record(message=message, user=request.user)
    response = render(
        request,
        "admin/contacts/message/print.html",
        {"message": message, "timeline": message_timeline(message), "printed_by": request.user},
    )
    response["Cache-Control"] = "no-store"
    return response


# Helpers


def _message(request: HttpRequest, object_id: str, model_admin: ModelAdmin) -> Message:
    message = model_admin.get_object(request, unquote(object_id))
    if message is None:
        raise Http404("No such message.")
    return message


def _message_to_change(request: HttpRequest, object_id: str, model_admin: ModelAdmin) -> Message:
    """The message a button acts on; 403 without the change permission."""
    message = _message(request, object_id, model_admin)
    if not model_admin.has_change_permission(request, message):
        raise PermissionDenied
    return message


def _status_button(
    request: HttpRequest,
    object_id: str,
    model_admin: ModelAdmin,
    button: str,
    status: str,
    *,
    message: Message | None = None,
) -> HttpResponse:
    message = message or _message_to_change(request, object_id, model_admin)
    allowed, done = STATUS_BUTTONS[button]
    if message.status in allowed and message_set_status(message=message, status=status, by=request.user):
        model_admin.message_user(request, done, messages.SUCCESS)
    else:
        model_admin.message_user(request, "Nothing changed: the message's status had moved on.", messages.INFO)
    return _back(model_admin, request, message)


def _back(model_admin: ModelAdmin, request: HttpRequest, message: Message) -> HttpResponse:
    return HttpResponseRedirect(_change_url(model_admin, request, message.pk))


def _change_url(model_admin: ModelAdmin, request: HttpRequest, message_id: int) -> str:
    """A message page's URL, keeping the list's filters (`_changelist_filters`) of this request."""
    url = reverse("admin:contacts_message_change", args=[message_id], current_app=model_admin.admin_site.name)
    preserved = model_admin.get_preserved_filters(request)
    return add_preserved_filters({"preserved_filters": preserved, "opts": model_admin.opts}, url)


def _neighbours(model_admin: ModelAdmin, request: HttpRequest, message: Message) -> tuple[int | None, int | None]:
    """The previous and next message in the list the counselor came from (its filters, search, order)."""
    list_request = copy(request)
    list_request.GET = QueryDict(request.GET.get("_changelist_filters", ""))
    try:
        changelist = model_admin.get_changelist_instance(list_request)
        return message_neighbours(queue=changelist.queryset, message_id=message.pk)
    except (IncorrectLookupParameters, SuspiciousOperation, FieldError):
        # Filters edited by hand, or an ordering on a column the plain queryset lacks: no links.
        return None, None
