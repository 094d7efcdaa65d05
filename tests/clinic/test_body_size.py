"""Request bodies: none larger than DATA_UPLOAD_MAX_MEMORY_SIZE, files included, and no files at all."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from clinic.middleware import RequestBodyLimitMiddleware
from contacts.models import Comment, Message
from tests.factories import elapsed_ms, make_article, message_post_data

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def comment_post_data() -> dict:
    return {
        "name": "Sam",
        "email": "sam@example.com",
        "comment": "This helped me.",
        "parent": "",
        "elapsed": elapsed_ms(),
    }


def form(name: str) -> tuple[str, dict]:
    """The address and a valid POST of one of the public forms."""
    if name == "message":
        return reverse("contacts:message-create"), message_post_data()
    article = make_article()
    return reverse("contacts:comment-create", kwargs={"slug": article.slug}), comment_post_data()


def stored() -> tuple[int, int]:
    return Message.objects.count(), Comment.objects.count()


@pytest.mark.parametrize("name", ["message", "comment"])
@pytest.mark.parametrize("size", [5 * MB, 30 * MB])
def test_a_valid_form_with_a_large_file_part_is_refused_and_nothing_is_stored(client, name, size):
    url, data = form(name)

    response = client.post(url, {**data, "attachment": SimpleUploadedFile("scan.pdf", b"%" * size)})

    assert response.status_code == 413
    assert "That was too much to send" in response.content.decode()
    assert stored() == (0, 0)


@pytest.mark.parametrize("name", ["message", "comment"])
def test_a_valid_form_with_a_small_file_part_is_refused_and_nothing_is_stored(client, name):
    url, data = form(name)

    response = client.post(url, {**data, "attachment": SimpleUploadedFile("note.txt", b"hello")})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Our forms cannot take attachments" in body
    assert 'href="tel:+17086134750"' in body
    assert stored() == (0, 0)


@pytest.mark.parametrize("name", ["message", "comment"])
def test_a_valid_form_sent_as_multipart_without_files_is_accepted(client, name):
    # Django's test client sends forms as multipart/form-data, as a browser may.
    url, data = form(name)

    response = client.post(url, data)

    assert response.status_code == 302
    assert sum(stored()) == 1


def test_the_413_page_is_the_friendly_one_with_the_phone_and_crisis_lines(client):
    url, data = form("message")

    response = client.post(url, {**data, "attachment": SimpleUploadedFile("scan.pdf", b"%" * (2 * MB))})

    body = response.content.decode()
    assert response.status_code == 413
    assert "Please go back, shorten your message" in body
    assert 'href="tel:+17086134750"' in body and "(708) 613-4750" in body
    assert 'aria-label="Emergency help"' in body
    assert 'href="tel:911"' in body and 'href="tel:988"' in body
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "private" in response.headers["Cache-Control"]


def test_refused_bodies_are_logged_but_never_emailed_to_admins(client, settings):
    settings.ADMINS = [("Ops", "ops@clinic.test")]
    url, data = form("message")

    client.post(url, {**data, "attachment": SimpleUploadedFile("note.txt", b"hello")})
    client.post(url, {**data, "attachment": SimpleUploadedFile("scan.pdf", b"%" * (2 * MB))})
    client.post(url, {**data, "body": "x" * (2 * MB)})
    too_many_fields = client.post(url, {f"field{n}": "" for n in range(1001)})

    assert too_many_fields.status_code == 413
    assert mail.outbox == []


def limited(request):
    return RequestBodyLimitMiddleware(lambda request: HttpResponse("read"))(request)


def test_a_body_of_exactly_the_limit_passes_and_one_byte_more_does_not(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    factory = RequestFactory()

    def post(size):
        return limited(factory.post("/", b"x" * size, content_type="application/octet-stream")).status_code

    assert post(1000) == 200
    assert post(1001) == 413


def test_a_body_without_a_content_length_is_never_read(settings):
    # Chunked or unannounced: Django's WSGI request reads at most Content-Length bytes, so none.
    environ = RequestFactory().post("/", b"", content_type="application/x-www-form-urlencoded").environ
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(b"body=" + b"x" * (3 * MB))
    request = WSGIRequest(environ)

    assert limited(request).status_code == 200
    assert request.body == b""
    assert request.POST == {}
