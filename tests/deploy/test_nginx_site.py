"""The site as readers and staff meet it in production: the nginx template in front of Django
(pytest-django's live server), nothing in between."""

from urllib.parse import urlsplit

import pytest

from articles.models import Article, FaqEntry
from contacts.models import Message
from tests.deploy.conftest import PROBE
from tests.deploy.web import fetch, form_fields, poll
from tests.factories import make_article, make_entry, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

# The bound on how late a change reaches readers (issue 13; DJANGO_SHARED_CACHE_SECONDS is 5).
FRESHNESS_BOUND = 10
EVIL = "https://evil.example"


@pytest.fixture
def site(live_server, start_nginx, settings):
    """nginx on a port of its own in front of the live server, which trusts it as production does."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.MIN_FORM_FILL_SECONDS = 0
    settings.COMMENT_FLOOD_SECONDS = 0
    return start_nginx(f"127.0.0.1:{urlsplit(live_server.url).port}")


@pytest.fixture
def article(transactional_db) -> Article:
    article = make_article(slug="tapering", title="Tapering safely")
    make_entry(article, question="How slow should a taper be?", answer="The old answer about tapering.")
    return article


def same_site(site) -> dict[str, str]:
    """What a browser sends with a form posted from the site's own page."""
    return {"Sec-Fetch-Site": "same-origin", "Origin": site.url}


def message_form(site, *, body: str) -> tuple[dict[str, str], dict[str, str]]:
    """The message form as a new visitor fills it in, and any cookies the page gave them."""
    page = fetch(site.url, "/contact/")
    assert page.status == 200
    fields = form_fields(page.text, "/contact/")
    fields.update(
        name="Sam",
        preferred_method="email",
        email="sam@example.com",
        body=body,
        voicemail_ok="no",
        clinic_name_ok="no",
        consent="on",
    )
    return fields, page.cookies()


@pytest.mark.parametrize("path", ["/", "/articles/", "/articles/tapering/", "/articles/tapering/?cpage=1", "/contact/"])
def test_anonymous_readers_get_the_public_pages_from_the_cache_without_a_cookie(site, article, path):
    answers = [fetch(site.url, path) for _ in range(3)]

    assert [answer.status for answer in answers] == [200, 200, 200]
    assert [answer.set_cookies for answer in answers] == [[], [], []]
    assert [answer.cache_status for answer in answers[1:]] == ["HIT", "HIT"]
    assert answers[2].text == answers[1].text


def test_a_patient_back_on_the_form_with_the_message_sent_cookie_still_gets_the_stored_copy(site):
    stored = fetch(site.url, "/contact/")

    again = fetch(site.url, "/contact/", cookies={"message_sent": "signed-value"})

    assert again.cache_status == "HIT"
    assert again.text == stored.text


def test_a_browser_revalidating_a_stored_page_with_its_etag_gets_a_304(site, article):
    stored = fetch(site.url, "/articles/tapering/")

    revalidated = fetch(site.url, "/articles/tapering/", headers={"If-None-Match": stored.headers["ETag"]})

    assert revalidated.status == 304
    assert revalidated.cache_status == "HIT"
    assert revalidated.raw == b""


def test_a_query_string_other_than_a_comment_page_goes_to_django_every_time(site, article):
    answers = [fetch(site.url, "/articles/tapering/?utm_source=newsletter") for _ in range(2)]

    assert [answer.status for answer in answers] == [200, 200]
    assert [answer.cache_status for answer in answers] == ["BYPASS", "BYPASS"]


def test_only_the_reader_whose_comment_awaits_moderation_is_told_so(site, article):
    assert fetch(site.url, "/articles/tapering/").status == 200
    assert fetch(site.url, "/articles/tapering/").cache_status == "HIT"
    page = fetch(site.url, "/articles/tapering/")
    fields = form_fields(page.text, "/articles/tapering/comments/")
    fields.update(name="Robin", email="robin@example.com", comment="This helped me talk to my doctor.")

    posted = fetch(
        site.url,
        "/articles/tapering/comments/",
        method="POST",
        form=fields,
        cookies=page.cookies(),
        headers=same_site(site),
    )
    assert posted.status == 302
    told = fetch(site.url, "/articles/tapering/", cookies=posted.cookies())
    readers = [fetch(site.url, "/articles/tapering/") for _ in range(2)]

    assert told.cache_status == "BYPASS"
    assert "awaiting moderation" in told.text
    for reader in readers:
        assert reader.status == 200
        assert "awaiting moderation" not in reader.text
        assert reader.set_cookies == []
    assert readers[1].cache_status == "HIT"


def log_in(site, user) -> dict[str, str]:
    """Sign in through the admin login form, via nginx, as a person would; returns the browser's cookies."""
    page = fetch(site.url, "/admin/login/")
    cookies = page.cookies()
    fields = form_fields(page.text, "/admin/login/")
    fields.update(username=user.username, password="a-long-test-password")
    answer = fetch(
        site.url, "/admin/login/?next=/admin/", method="POST", form=fields, cookies=cookies, headers=same_site(site)
    )
    assert answer.status == 302, answer.text[:2000]
    return {**cookies, **answer.cookies()}


def test_signed_in_staff_bypass_the_cache_and_their_pages_are_never_kept_for_readers(site, article):
    editor = make_staff("editor", superuser=True)
    before = fetch(site.url, "/articles/tapering/")
    assert fetch(site.url, "/articles/tapering/").cache_status == "HIT"

    cookies = log_in(site, editor)
    staff_reads = [fetch(site.url, "/articles/tapering/", cookies=cookies) for _ in range(2)]
    admin_pages = [fetch(site.url, "/admin/", cookies=cookies) for _ in range(2)]
    reader = fetch(site.url, "/articles/tapering/")

    assert any(name.endswith("sessionid") for name in cookies)
    assert [answer.cache_status for answer in staff_reads] == ["BYPASS", "BYPASS"]
    assert [answer.status for answer in admin_pages] == [200, 200]
    assert all("Site administration" in answer.text for answer in admin_pages)
    assert [answer.cache_status for answer in admin_pages] == ["BYPASS", "BYPASS"]
    assert reader.cache_status == "HIT"
    assert reader.text == before.text


def test_the_admin_sign_in_page_is_never_kept(site):
    answers = [fetch(site.url, "/admin/login/") for _ in range(2)]

    assert [answer.status for answer in answers] == [200, 200]
    assert [answer.cache_status for answer in answers] == ["MISS", "MISS"]


@pytest.mark.parametrize("change", ["save", "update", "unpublish"])
def test_an_admin_edit_reaches_readers_through_nginx_within_the_bound(site, article, change):
    assert "The old answer" in fetch(site.url, "/articles/tapering/").text
    assert fetch(site.url, "/articles/tapering/").cache_status == "HIT"

    if change == "save":  # as the admin saves it
        entry = FaqEntry.objects.get(article=article)
        entry.answer = "The new answer about tapering."
        entry.save()
    elif change == "update":  # a raw QuerySet.update(), behind every service
        FaqEntry.objects.filter(article=article).update(answer="The new answer about tapering.")
    else:
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)

    def readers_see_it() -> bool:
        answer = fetch(site.url, "/articles/tapering/")
        if change == "unpublish":
            return answer.status == 404
        return "The new answer" in answer.text and "The old answer" not in answer.text

    took = poll(readers_see_it, within=FRESHNESS_BOUND)
    assert took is not None, f"readers still had the old page {FRESHNESS_BOUND} s after the change"


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site", "Origin": EVIL}, {"Origin": EVIL}],
    ids=["fetch-metadata", "origin-only"],
)
def test_a_cross_site_post_to_the_message_form_is_refused_and_nothing_is_stored(site, headers):
    fields, cookies = message_form(site, body="Posted from another site.")

    refused = fetch(site.url, "/contact/", method="POST", form=fields, cookies=cookies, headers=headers)

    assert refused.status == 403
    assert refused.cache_status != "HIT"
    assert "Posted from another site." in refused.text  # the writer's words come back
    assert Message.objects.count() == 0


def test_a_message_sent_from_the_site_itself_is_stored(site):
    fields, cookies = message_form(site, body="Please call me about starting treatment.")

    sent = fetch(site.url, "/contact/", method="POST", form=fields, cookies=cookies, headers=same_site(site))

    assert sent.status == 302
    assert sent.cache_status != "HIT"
    assert Message.objects.filter(body="Please call me about starting treatment.").count() == 1


def test_a_client_cannot_dodge_the_message_limit_by_forging_x_forwarded_for(site, settings):
    settings.MESSAGE_RATE_LIMIT = (2, 600)
    statuses = []
    for n in range(3):
        fields, cookies = message_form(site, body=f"Please call me back (message {n}).")
        forged = {**same_site(site), "X-Forwarded-For": f"198.51.100.{n + 1}"}
        statuses.append(
            fetch(site.url, "/contact/", method="POST", form=fields, cookies=cookies, headers=forged).status
        )

    assert statuses[:2] == [302, 302]
    assert statuses[2] == 429
    assert Message.objects.count() == 2


def test_static_files_the_pages_link_are_served_by_nginx(site, article, static_root):
    home = fetch(site.url, "/")
    stylesheets = [part.split('"')[0] for part in home.text.split('rel="stylesheet" href="')[1:]]

    assert stylesheets, "the home page links no stylesheet"
    for url in stylesheets:
        assert fetch(site.url, url).status == 200, url
    probe = fetch(site.url, f"/static/{PROBE}")  # only nginx's static root has it
    assert probe.status == 200
    assert probe.raw == (static_root / PROBE).read_bytes()
