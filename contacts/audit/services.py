"""Writes of the audit trail: one function, called by every service that reads or changes messages."""

from collections.abc import Iterable

from contacts.audit.models import AuditEvent


def audit_record(
    *, actor, action: str, message_ids: Iterable[int | None], detail: str = "", actor_name: str = ""
) -> int:
    """Append one audit event per message number (None: one event about no single message).

    `actor` is the staff user (or None for a command, named by `actor_name`). `detail` must
    never hold patient data: statuses, usernames, counts and numbers only. Returns how many
    events were written; they commit or roll back with the change they record.
    """
    name = actor_name or (actor.get_username() if actor is not None else "system")
    events = [
        AuditEvent(actor=actor, actor_name=name, action=action, message_id=message_id, detail=detail)
        for message_id in message_ids
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
