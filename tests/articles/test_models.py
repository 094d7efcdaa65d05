import pytest
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article, FaqEntry
from tests.factories import make_article, make_draft, make_entry

pytestmark = pytest.mark.django_db


def test_published_queryset_lists_only_published_articles_whose_time_has_come():
    live = make_article()
    make_draft()
    make_article(published_at=timezone.now() + timezone.timedelta(days=2))

    assert list(Article.objects.published()) == [live]


def test_a_published_article_must_have_a_publication_date():
    with pytest.raises(IntegrityError):
        make_article(published_at=None)


def test_anchors_are_unique_within_an_article_but_may_repeat_across_articles():
    first, second = make_article(), make_article()
    make_entry(first, anchor="same")
    make_entry(second, anchor="same")

    with pytest.raises(IntegrityError):
        make_entry(first, anchor="same")


def test_entries_come_in_position_order():
    article = make_article()
    make_entry(article, position=30, question="Third?")
    make_entry(article, position=10, question="First?")
    make_entry(article, position=20, question="Second?")

    assert [e.question for e in article.entries.all()] == ["First?", "Second?", "Third?"]


def test_description_falls_back_to_the_lede():
    assert make_article(meta_description="", lede="Plain summary.").description == "Plain summary."
    assert make_article(meta_description="For search.").description == "For search."


def test_faq_entry_str_is_the_question():
    assert str(FaqEntry(question="Why?")) == "Why?"
