"""Static files as production serves them: hashed names, gzip and brotli, cached for years."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 60 * 60


PRODUCTION_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic once, with the production storage (hashing and compressing takes seconds)."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


@pytest.fixture
def collected(settings, static_root):
    """A client served by WhiteNoise from the collected files, as in production."""
    settings.STATIC_ROOT = static_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    return Client()  # a new handler, so WhiteNoise scans STATIC_ROOT afresh


def hashed_stylesheet_url() -> str:
    url = static("vendor/bootstrap/bootstrap.min.css")
    assert re.search(r"bootstrap\.min\.[0-9a-f]{12}\.css$", url), url
    return url


def max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_pages_link_hashed_static_file_names(collected):
    body = collected.get("/").content.decode()

    assert hashed_stylesheet_url() in body


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_hashed_static_file_is_compressed_and_cached_for_over_a_year(collected, encoding):
    response = collected.get(hashed_stylesheet_url(), headers={"accept-encoding": encoding})

    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response["Vary"]
    assert "immutable" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert max_age(response) >= ONE_YEAR
    assert int(response["Content-Length"]) < 232315 / 3  # bootstrap.min.css compresses well


def test_brotli_is_preferred_over_gzip_when_the_browser_takes_both(collected):
    response = collected.get(hashed_stylesheet_url(), headers={"accept-encoding": "gzip, deflate, br"})

    assert response["Content-Encoding"] == "br"


def test_static_file_without_hash_is_cached_only_briefly(collected):
    response = collected.get("/static/vendor/bootstrap/bootstrap.min.css")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert max_age(response) <= 60


def test_static_file_answers_304_to_a_conditional_get(collected):
    url = hashed_stylesheet_url()
    etag = collected.get(url)["ETag"]

    assert collected.get(url, headers={"if-none-match": etag}).status_code == 304
