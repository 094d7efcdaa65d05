"""Every model of the contacts app, where Django looks for them (`contacts.models`).

Each model is defined next to the code of its concern and only gathered here: messages
(`contacts.messages.models`), comments (`contacts.comments.models`), the audit trail
(`contacts.audit.models`) and staff notifications (`contacts.notifications.models`). They all
belong to the app `contacts`: same tables, same migrations.
"""

from contacts.audit.models import AuditEvent
from contacts.comments.models import Comment, CommentQuerySet
from contacts.messages.models import Message, MessageNote, MessageQuerySet
from contacts.notifications.models import Notification

__all__ = [
    "AuditEvent",
    "Comment",
    "CommentQuerySet",
    "Message",
    "MessageNote",
    "MessageQuerySet",
    "Notification",
]
