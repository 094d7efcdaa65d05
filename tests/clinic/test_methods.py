"""Every public address answers a method it does not take with 405 and a true `Allow`, before any other check."""

import pytest
from django.test import Client

from contacts.models import Comment, Message
from tests.factories import elapsed_ms, make_article, message_post_data

pytestmark = pytest.mark.django_db

READ_ONLY = "GET, HEAD, OPTIONS"
FORM = "GET, HEAD, OPTIONS, POST"

# Path (with {slug} for a published article) -> the Allow header it must send.
PUBLIC_URLS = {
    "/": READ_ONLY,
    "/articles/": READ_ONLY,
    "/articles/{slug}/": READ_ONLY,
    "/articles/feed/": READ_ONLY,
    "/contact/": FORM,
    "/contact/sent/": READ_ONLY,
    "/articles/{slug}/comments/": FORM,
    "/sitemap.xml": READ_ONLY,
    "/robots.txt": READ_ONLY,
    "/favicon.ico": READ_ONLY,
}

CROSS_SITE = {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"}


@pytest.fixture
def article():
    return make_article(slug="pain", title="Pain")


def url_of(template: str, article) -> str:
    return template.format(slug=article.slug)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
@pytest.mark.parametrize("template", list(PUBLIC_URLS))
def test_a_method_the_address_does_not_take_gets_405_with_what_it_takes(template, method, article):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(
        url_of(template, article), "x=1", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 405
    assert response["Allow"] == PUBLIC_URLS[template]
    # A person who meets it in a browser reads a line, not a blank page.
    assert response["Content-Type"].startswith("text/plain")
    assert f"takes only: {PUBLIC_URLS[template]}" in response.content.decode()


@pytest.mark.parametrize("template", list(PUBLIC_URLS))
def test_options_answers_200_with_the_methods_the_address_takes(template, article):
    response = Client(enforce_csrf_checks=True).options(url_of(template, article))

    assert response.status_code == 200
    assert response["Allow"] == PUBLIC_URLS[template]
    assert "PUT" not in response["Allow"]


@pytest.mark.parametrize("template", list(PUBLIC_URLS))
def test_get_and_head_still_work(template, article, client):
    if template == "/contact/sent/":
        client.post("/contact/", message_post_data())
    for method in ("get", "head"):
        response = getattr(client, method)(url_of(template, article))
        assert response.status_code in (200, 301, 302), (method, response.status_code)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
@pytest.mark.parametrize("template", ["/contact/", "/articles/{slug}/comments/"])
def test_a_cross_site_put_or_delete_on_a_form_is_405_not_the_refusal_page(template, method, article):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(url_of(template, article), **CROSS_SITE)

    assert response.status_code == 405
    assert response["Allow"] == FORM
    assert Message.objects.count() == 0 and Comment.objects.count() == 0


def test_a_put_with_a_whole_message_stores_nothing(article):
    # FormView answers PUT like POST; these views do not.
    from urllib.parse import urlencode

    response = Client().put(
        "/contact/", urlencode(message_post_data()), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 405
    assert Message.objects.count() == 0


def test_a_cross_site_post_is_still_refused_with_the_form_filled_in(article):
    client = Client(enforce_csrf_checks=True)

    message = client.post("/contact/", message_post_data(body="Words kept across the refusal."), **CROSS_SITE)
    comment = client.post(
        f"/articles/{article.slug}/comments/",
        {"name": "Robin", "email": "robin@example.com", "comment": "A comment kept.", "elapsed": elapsed_ms()},
        **CROSS_SITE,
    )

    assert message.status_code == 403
    assert "Words kept across the refusal." in message.content.decode()
    assert comment.status_code == 403
    assert "A comment kept." in comment.content.decode()
    # The refusal pages hold the writer's words: no cache keeps them.
    assert "no-store" in message["Cache-Control"] and "no-store" in comment["Cache-Control"]
    assert Message.objects.count() == 0 and Comment.objects.count() == 0


def test_only_views_that_take_no_unsafe_method_skip_djangos_token_check():
    from django.http import HttpResponse
    from django.views import View

    from clinic.http_methods import AllowedMethodsMixin, allow_methods

    class Page(AllowedMethodsMixin, View):
        def get(self, request):
            return HttpResponse()

    class Form(Page):
        def post(self, request):
            return HttpResponse()

    def view(request):
        return HttpResponse()

    assert Page.as_view().csrf_exempt
    assert not getattr(Form.as_view(), "csrf_exempt", False)
    assert allow_methods("GET", "HEAD")(view).csrf_exempt
    assert not getattr(allow_methods("GET", "POST")(view), "csrf_exempt", False)
