"""The comment section on another app's page, and the filters its templates use.

`{% load comment_tags %}{% comment_section article %}` draws an article's comments and form
(as django-contrib-comments' `{% render_comment_list %}` does), so the page's own app never
imports `contacts`. When the comment view answers on the article page (a form with errors, a
refusal), it passes in the page's context:

- `comment_form`: the reader's form, bound, with its errors (None on a closed article);
- `comment_crisis`: True when the refused text reads as a crisis (the 911 / 988 help comes first);
- `comment_refused_text`: the text sent to a closed article, shown back so it is not lost;
- `comment_csrf_failed`: True when the form came back refused as sent from another site;
- `comment_not_posted`: True when the database failed to store it (`contacts.outage`).
"""

from django import template

from contacts.comments.forms import CommentForm
from contacts.comments.models import Comment
from contacts.comments.moderation import comment_html, comments_are_open
from contacts.comments.selectors import comment_section as comment_section_read

register = template.Library()


@register.inclusion_tag("includes/_comments.html", takes_context=True)
def comment_section(context, article):
    """The article's comment section: one page of approved threads, the form and the reply target.

    Two queries (see `contacts.comments.selectors.comment_section`); `?cpage=` and `?replyto=`
    are read from the page's request.
    """
    request = context["request"]
    form = context.get("comment_form")
    if form is not None:
        reply_to = form["parent"].value()
    elif comments_are_open(article):
        reply_to = request.GET.get("replyto")
    else:
        reply_to = None
    section = comment_section_read(article, page=request.GET.get("cpage"), reply_to=reply_to)
    if form is None and section["comments_open"]:
        reply_target = section["comment_reply_to"]
        form = CommentForm(initial={"parent": reply_target.pk if reply_target else ""})
    return {**context.flatten(), **section, "comment_form": form}


@register.filter(name="comment_html")
def comment_html_filter(text: str) -> str:
    """A comment's plain text as HTML: escaped, line breaks kept, URLs linked with rel="nofollow ugc noopener"."""
    return comment_html(text)


@register.filter
def initials(name: str) -> str:
    """Up to two initials for the avatar circle (no external avatar service)."""
    letters = [word[0] for word in str(name).split() if word[:1].isalnum()]
    return ("".join(letters[:1] + letters[1:][-1:]) or "?").upper()


@register.simple_tag(takes_context=True)
def pending_comment_count(context) -> int | None:
    """How many comments wait for moderation, for staff who may see comments; None for others."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.has_perm("contacts.view_comment") or user.has_perm("contacts.can_moderate")):
        return None
    return Comment.objects.pending().count()
