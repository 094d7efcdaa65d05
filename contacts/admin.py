"""The contacts app's admin: importing each concern's admin module registers its models.

Messages (`contacts.messages.admin`), comments (`contacts.comments.admin`), the audit trail
(`contacts.audit.admin`) and the staff notification outbox (`contacts.notifications.admin`)
each keep their admin next to their models.
"""

from contacts.audit import admin as audit_admin
from contacts.comments import admin as comments_admin
from contacts.messages import admin as messages_admin
from contacts.notifications import admin as notifications_admin

__all__ = ["audit_admin", "comments_admin", "messages_admin", "notifications_admin"]
