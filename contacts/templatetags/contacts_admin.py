from django import template

from contacts.messages.selectors import message_queue_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def message_counts(context) -> dict | None:
    """New and urgent open messages for the admin index, or None for staff who may not see them."""
    request = context.get("request")
    if request is None or not request.user.has_perm("contacts.view_message"):
        return None
    return message_queue_counts()
