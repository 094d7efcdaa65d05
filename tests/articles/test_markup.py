import pytest

from articles.markup import render_markdown
from tests.factories import make_article, make_entry


def test_markdown_renders_paragraphs_emphasis_and_links():
    html = render_markdown("First **bold**.\n\nSecond [link](https://example.org).")

    assert "<p>First <strong>bold</strong>.</p>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("Hi <script>alert('x')</script> there", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<p style="position:fixed">x</p>', "style="),
    ],
)
def test_hostile_html_in_an_answer_never_survives(source, forbidden):
    assert forbidden not in render_markdown(source)


@pytest.mark.django_db
def test_hostile_html_in_an_answer_never_reaches_the_page(client):
    article = make_article(slug="hostile")
    make_entry(
        article,
        answer='<script>alert("x")</script> <img src=x onerror="alert(1)"> [bad](javascript:alert(1)) Safe text.',
    )

    body = client.get(article.get_absolute_url()).content.decode()

    assert "Safe text." in body
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
