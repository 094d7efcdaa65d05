"""The comment rules in one place: when comments are open, and which state a new comment gets.

Configured in settings (see docs/staff-guide.md, comments and moderation): `COMMENT_MAX_LINKS`,
`COMMENT_DISALLOWED_WORDS`, `COMMENT_AUTO_APPROVE_KNOWN_AUTHORS`, `COMMENTS_CLOSE_AFTER_DAYS`.
Rules are checked in WordPress's order: spam traps and disallowed words make spam; too many
links hold a comment for a moderator even where auto-approval applies; otherwise a comment
waits for a moderator unless its author is known and auto-approval is on.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.html import Urlizer, linebreaks
from django.utils.safestring import SafeString, mark_safe

from contacts.comments.models import Comment

LINK_REL = "nofollow ugc noopener"
TRIM_URLS_AT = 60


class CommentUrlizer(Urlizer):
    """Django's urlize with the rel readers' links need, and email addresses left as plain text."""

    url_template = '<a href="{href}" rel="' + LINK_REL + '">{url}</a>'

    @staticmethod
    def is_email_simple(value: str) -> bool:
        # An address in a public comment is never turned into a mailto: link for harvesters.
        return False


_urlize = CommentUrlizer()


def comment_html(text: str) -> SafeString:
    """A comment's plain text as safe HTML: escaped, paragraphs and line breaks kept, URLs linked."""
    linked = _urlize(text, trim_url_limit=TRIM_URLS_AT, autoescape=True)
    return mark_safe(linebreaks(linked, autoescape=False))  # noqa: S308 - every word was escaped by urlize


def link_count(text: str) -> int:
    """How many links the text would show on the page (exactly what `comment_html` links)."""
    return len(re.findall(r'<a href="', _urlize(text, autoescape=True)))


def disallowed_word_in(*texts: str) -> str | None:
    """The first configured disallowed word or phrase found as a whole word (any case), else None."""
    for word in settings.COMMENT_DISALLOWED_WORDS:
        pattern = re.compile(r"(?<!\w)" + re.escape(word.strip()) + r"(?!\w)", re.IGNORECASE)
        if word.strip() and any(pattern.search(text) for text in texts):
            return word.strip()
    return None


def comments_are_open(article, *, now: datetime | None = None) -> bool:
    """True when readers may comment: published, comments left open, not past the closing age."""
    if not article.is_published or not article.comments_open:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days > 0:
        return (now or timezone.now()) < article.published_at + timedelta(days=days)
    return True


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str = ""


def comment_verdict(
    *, author_name: str, author_email: str, body: str, spam_reason: str | None = None, crisis: bool = False
) -> Verdict:
    """The state a new comment starts in, and why (the reason is shown to moderators only).

    Crisis language comes first: such a comment always waits for a moderator, never spam nor
    auto-approved; a spam signal it also carries is kept in the reason ("possible spam").
    """
    if crisis:
        spam = spam_reason.replace("_", " ") if spam_reason else disallowed_word_in(author_name, author_email, body)
        return Verdict(Comment.Status.PENDING, "crisis language" + (f"; possible spam ({spam})" if spam else ""))
    if spam_reason:
        return Verdict(Comment.Status.SPAM, spam_reason.replace("_", " "))
    word = disallowed_word_in(author_name, author_email, body)
    if word:
        return Verdict(Comment.Status.SPAM, f"disallowed word {word!r}")
    links = link_count(body)
    if links > settings.COMMENT_MAX_LINKS:
        return Verdict(Comment.Status.PENDING, f"{links} links (more than {settings.COMMENT_MAX_LINKS})")
    if settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS and author_is_known(author_email):
        return Verdict(Comment.Status.APPROVED, "known author")
    return Verdict(Comment.Status.PENDING)


def author_is_known(author_email: str) -> bool:
    """True when a comment from this email address was approved before."""
    return Comment.objects.approved().filter(author_email=author_email.strip().lower()).exists()
