from django import template
from django.conf import settings
from django.utils import timezone

from contacts.messages.selectors import message_queue_counts
from contacts.notifications.models import Notification

register = template.Library()


def _works_messages(context) -> bool:
    request = context.get("request")
    return request is not None and request.user.has_perm("contacts.view_message")


@register.simple_tag(takes_context=True)
def message_counts(context) -> dict | None:
    """New and urgent open messages for the admin index, or None for staff who may not see them."""
    if not _works_messages(context):
        return None
    return message_queue_counts()


@register.simple_tag(takes_context=True)
def late_notifications(context) -> dict | None:
    """The alarm of the admin index: how many staff notifications are late and since when.

    None when none is late, and for staff who do not work messages (they are not the ones the
    late emails were for). Counts and a time only, never what a notification is about.
    """
    if not _works_messages(context):
        return None
    backlog = Notification.objects.backlog(timezone.now())
    if not backlog.late:
        return None
    return {"count": backlog.late, "since": backlog.late_since, "minutes": settings.NOTIFICATION_ALARM_MINUTES}
