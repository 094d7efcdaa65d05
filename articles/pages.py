"""The article page as an answer: the one way an article's page is rendered, whoever answers with it.

`ArticleDetailView` answers every reader with it. Another app whose form is posted from the
article page answers on that page with it too (the comment form, shown again with its errors),
adding to the context what its own template tags on the page read. It never needs this app's
views, and this app never needs its code.
"""

from django.template.response import TemplateResponse

from articles.models import Article
from articles.structured_data import article_data, to_script_json

TEMPLATE = "articles/article_detail.html"


def article_page(request, article: Article, *, context: dict | None = None, status: int = 200) -> TemplateResponse:
    """The page of `article` (published or a draft: who may see it is the caller's check), with `status`.

    `context` is added to the page's own (`article`, `structured_data`); it cannot replace them.
    """
    page_context = {**(context or {}), "article": article, "structured_data": to_script_json(article_data(article))}
    return TemplateResponse(request, TEMPLATE, page_context, status=status)
