"""The "Message a counselor" form on another app's page.

`{% load message_tags %}{% message_form %}` draws the blank form (the home page has it), so the
page's own app never imports `contacts`. The form remembers the page it was sent from.
"""

from django import template

from contacts.messages.forms import MessageForm

register = template.Library()


@register.inclusion_tag("contacts/_message_form.html", takes_context=True)
def message_form(context):
    """The blank message form, as on /contact/, sent from the page it is on."""
    return {**context.flatten(), "form": MessageForm(initial={"sent_from": context["request"].path})}
