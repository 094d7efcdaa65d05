"""The counselors' message list at a glance: its columns and filters (used by `MessageAdmin`).

The key columns come first (urgency, status, waiting time, assignee, star), so that on a phone,
where static/css/admin-messages.css shows each row as a card, they are the card's first line.
"""

import re
from datetime import timedelta

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from contacts.messages.models import Message
from contacts.messages.selectors import message_assignees

OPEN = "open"
# A search term made only of these characters, with this many digits or more, is (part of) a phone number.
PHONE_TERM = re.compile(r"[\d\s()+.\-/]+")
PHONE_MIN_DIGITS = 3


def phone_digits(search_term: str) -> str:
    """The digits of a search term typed as a phone number ("(312) 555" → "312555"); "" otherwise."""
    term = search_term.strip()
    if not PHONE_TERM.fullmatch(term):
        return ""
    digits = re.sub(r"\D", "", term)
    return digits if len(digits) >= PHONE_MIN_DIGITS else ""


def short_duration(delta: timedelta) -> str:
    """A duration read at a glance: "4 min", "2 h 5 min" (minutes count in the first hours), "30 h", "3 d"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, days = minutes // 60, minutes // (60 * 24)
    if minutes < 1:
        return "under 1 min"
    if hours < 1:
        return f"{minutes} min"
    if hours < 6:
        rest = minutes % 60
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    if hours < 48:
        return f"{hours} h"
    return f"{days} d"


# Columns


@admin.display(description="Urgent", ordering="-urgent")
def urgency(obj: Message) -> str:
    """A badge with the word URGENT (never colour alone), and "possible spam" when the spam checks fired too."""
    if not obj.urgent:
        return ""
    possible_spam = " · possible spam" if obj.spam_reason and obj.status != Message.Status.SPAM else ""
    return format_html('<strong class="urgent urgent-badge">URGENT</strong>{}', possible_spam)


@admin.display(description="Waiting", ordering="created_at")
def waiting(obj: Message) -> str:
    """How long the patient has waited for a first contact, or how long they waited, or "closed"/"spam"."""
    if obj.status in (Message.Status.CLOSED, Message.Status.SPAM):
        return obj.get_status_display().lower()
    if obj.first_contacted_at is not None:
        return f"contacted after {short_duration(obj.first_contacted_at - obj.created_at)}"
    return format_html('<span class="waiting">waiting {}</span>', short_duration(timezone.now() - obj.created_at))


@admin.display(description="Star", ordering="-starred")
def star(obj: Message) -> str:
    if not obj.starred:
        return ""
    return mark_safe(
        '<span class="star" role="img" aria-label="Starred for follow-up" title="Starred for follow-up">★</span>'
    )


@admin.display(description="#", ordering="pk")
def number(obj: Message) -> str:
    return f"#{obj.pk}"


@admin.display(description="Read")
def read_state(obj: Message) -> str:
    if obj.first_opened_at is None:
        return mark_safe('<strong class="unread">Unread</strong>')
    return "Opened"


@admin.display(description="Age", ordering="created_at")
def age(obj: Message) -> str:
    return f"{timesince(obj.created_at, timezone.now(), depth=1)} ago"


# Filters


class QueueFilter(admin.SimpleListFilter):
    """Status, defaulting to the open queue (not closed, not spam) so finished work steps aside."""

    title = "status"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(OPEN, "Open (not closed or spam)"), *Message.Status.choices, ("all", "All")]

    def value(self):
        return super().value() or OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == OPEN:
            return queryset.open()
        if value in Message.Status.values:
            return queryset.filter(status=value)
        return queryset


class MineFilter(admin.SimpleListFilter):
    """The messages assigned to whoever is looking."""

    title = "my messages"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Assigned to me")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(assigned_to=request.user)
        return queryset


class AssigneeFilter(admin.RelatedFieldListFilter):
    """Assignees to choose from: the staff who may view messages (`message_assignees`), in one query,
    not every staff account, nor the assignees found in the table (a scan on every page load)."""

    def field_choices(self, field, request, model_admin):
        return [(user.pk, str(user)) for user in message_assignees()]


class UnreadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("1", "Unread (no counselor opened it yet)"), ("0", "Opened")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(first_opened_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(first_opened_at__isnull=False)
        return queryset


def search_by_phone_digits(queryset: QuerySet[Message], searched: QuerySet[Message], search_term: str):
    """`searched` (the admin's name/email/phone search of `queryset`) plus the messages of `queryset`
    whose phone holds the term's digits, when the term reads as a phone number typed any way.

    Phones are stored E.164 ("+13125550100"), so a run of digits matches wherever it appears.
    """
    digits = phone_digits(search_term)
    if not digits:
        return searched
    return searched | queryset.filter(Q(phone__contains=digits))
