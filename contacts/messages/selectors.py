"""Reads of messages for staff pages beyond the model's QuerySet: counts, assignees, neighbours, export."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from clinic.roles import CLINIC_ADMINS, COUNSELOR_LEADS, COUNSELORS
from contacts.messages.models import Message

# The roles whose members may view messages, hence may be given one.
MESSAGE_ROLES = (COUNSELORS, COUNSELOR_LEADS, CLINIC_ADMINS)


def message_assignees() -> QuerySet:
    """The accounts a message may be assigned to: active staff who may view messages.

    Members of Counselors, Counselor leads or Clinic admins, and superusers; editors and
    moderators are left out. Ordered by username, each account once.
    """
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=MESSAGE_ROLES))
        .distinct()
        .order_by("username")
    )


def message_queue_counts() -> dict:
    """How many open messages are new and how many are urgent (the admin index's box), in one query."""
    return Message.objects.open().aggregate(
        new=Count("pk", filter=Q(status=Message.Status.NEW)),
        urgent=Count("pk", filter=Q(urgent=True)),
    )


def messages_for_export(messages: QuerySet[Message]) -> list[Message]:
    """The chosen messages, oldest first, with their assignee, read once (one query)."""
    return list(messages.select_related("assigned_to").order_by("created_at"))


def message_neighbours(*, queue: QuerySet[Message], message_id: int) -> tuple[int | None, int | None]:
    """The numbers of the messages just before and just after `message_id` in `queue`'s order.

    `queue` is the counselor's list as filtered, searched and ordered (the admin's changelist
    queryset). The message itself always counts as part of it, so "Next" still leads on after
    closing a message that thereby left the open queue. One query, reading numbers only.
    """
    ordering = list(queue.query.order_by or Message._meta.ordering or [])
    members = Q(pk__in=queue.order_by().values("pk")) | Q(pk=message_id)
    ids = list(Message.objects.filter(members).order_by(*ordering).values_list("pk", flat=True))
    if message_id not in ids:
        return None, None
    at = ids.index(message_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def message_timeline(message: Message) -> QuerySet:
    """The message's timeline entries, oldest first, with their authors (one query)."""
    return message.notes.select_related("author").order_by("created_at", "id")
