from django import template
from django.utils.safestring import mark_safe

from articles.markup import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render an editor's Markdown as sanitised HTML."""
    return mark_safe(render_markdown(text))  # noqa: S308 - render_markdown sanitises with nh3
