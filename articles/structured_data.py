"""Schema.org data (JSON-LD) that search engines read from our pages.

Built here from the database so templates only print it. Answers are the same sanitised HTML the
page shows, so what a search result quotes is exactly what a patient reads.
"""

import json
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import to_locale

from articles.models import Article

SCHEMA_CONTEXT = "https://schema.org"

# The characters that could end a <script> element or start markup inside it, as JSON escapes
# (the same three that Django's json_script escapes).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute_url(path: str) -> str:
    """`path` on the public site address (DJANGO_SITE_URL), stable whatever Host a proxy sends."""
    return settings.SITE_URL + path


def clinic_data() -> dict[str, Any]:
    """The clinic as a schema.org MedicalClinic: name, telephone and home address of the site."""
    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "MedicalClinic",
        "@id": absolute_url("/#clinic"),
        "name": settings.CLINIC_NAME,
        "telephone": settings.CLINIC_PHONE_E164,
        "url": absolute_url("/"),
    }


def article_data(article: Article) -> dict[str, Any]:
    """An article as a MedicalWebPage and, when it has questions, an FAQPage.

    Every FAQ entry becomes a Question whose acceptedAnswer text is the answer's sanitised HTML,
    as shown on the page. lastReviewed and reviewedBy appear only when editors filled them in.
    Uses `article.entries.all()`, so prefetch entries to keep this to no extra query.
    """
    url = absolute_url(article.get_absolute_url())
    page: dict[str, Any] = {
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "inLanguage": to_locale(settings.LANGUAGE_CODE).replace("_", "-"),
        "publisher": {"@id": absolute_url("/#clinic"), "@type": "MedicalClinic", "name": settings.CLINIC_NAME},
    }
    if article.description:
        page["description"] = article.description
    if article.published_at:
        page["datePublished"] = article.published_at.isoformat()
    if article.updated_at:
        page["dateModified"] = article.updated_at.isoformat()
    if article.last_reviewed:
        page["lastReviewed"] = article.last_reviewed.isoformat()
    if article.reviewed_by:
        page["reviewedBy"] = {"@type": "Person", "name": article.reviewed_by}
    graph = [page]

    entries = list(article.entries.all())
    if entries:
        graph.append(
            {
                "@type": "FAQPage",
                "@id": f"{url}#faq",
                "url": url,
                "name": article.title,
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": entry.question,
                        "url": f"{url}#{entry.anchor}",
                        "acceptedAnswer": {"@type": "Answer", "text": str(entry.answer_html)},
                    }
                    for entry in entries
                ],
            }
        )
    return {"@context": SCHEMA_CONTEXT, "@graph": graph}


def to_script_json(data: dict[str, Any]) -> SafeString:
    """`data` as JSON that is safe inside a <script type="application/ld+json"> element."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped above
