"""Reads of messages for staff pages beyond the model's QuerySet: the admin index's counts, the CSV export."""

from django.db.models import Count, Q, QuerySet

from contacts.messages.models import Message


def message_queue_counts() -> dict:
    """How many open messages are new and how many are urgent (the admin index's box), in one query."""
    return Message.objects.open().aggregate(
        new=Count("pk", filter=Q(status=Message.Status.NEW)),
        urgent=Count("pk", filter=Q(urgent=True)),
    )


def messages_for_export(messages: QuerySet[Message]) -> list[Message]:
    """The chosen messages, oldest first, with their assignee, read once (one query)."""
    return list(messages.select_related("assigned_to").order_by("created_at"))
