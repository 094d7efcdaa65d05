from django import template

from contacts.models import Comment
from contacts.moderation import comment_html

register = template.Library()

# Comments


@register.filter(name="comment_html")
def comment_html_filter(text: str) -> str:
    """A comment's plain text as HTML: escaped, line breaks kept, URLs linked with rel="nofollow ugc noopener"."""
    return comment_html(text)


@register.filter
def initials(name: str) -> str:
    """Up to two initials for the avatar circle (no external avatar service)."""
    letters = [word[0] for word in str(name).split() if word[:1].isalnum()]
    return ("".join(letters[:1] + letters[1:][-1:]) or "?").upper()


@register.filter
def comment_widget(field):
    """The field's widget with Bootstrap classes and the ids of its help and error texts."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    attrs = {"class": "form-control is-invalid" if field.errors else "form-control"}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def pending_comment_count(context) -> int | None:
    """How many comments wait for moderation, for staff who may see comments; None for others."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.has_perm("contacts.view_comment") or user.has_perm("contacts.can_moderate")):
        return None
    return Comment.objects.pending().count()
