"""The client's address: X-Forwarded-For believed from our own proxies only, and always a bare IP.

Sign-in (django-axes stores the address in an `inet` column on PostgreSQL), its lockout and the
forms' rate limits all see the same address.
"""

import ipaddress

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from clinic.client_address import client_address, parse_address
from contacts.abuse import client_key
from contacts.models import Comment, Message
from tests.clinic.test_production_settings import production_env, read_settings, run
from tests.factories import make_article, make_staff, message_post_data

PASSWORD = "a-long-test-password"
PROXY = "10.0.0.2"
# What a proxy that appends "ip:port", a broken one, or a client writing the header can send.
BAD_FORWARDED = ["unknown", "999.1.1.1", "1.2.3.4.5", "x" * 5000, "1.2.3.4, , ", "::ffff:999.1.1.1"]


def request_from(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


# Reading an address


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("1.2.3.4:5678", "1.2.3.4"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("[::ffff:203.0.113.9]:80", "203.0.113.9"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_an_address_is_read_bare_without_its_port(value, address):
    assert str(parse_address(value)) == address


@pytest.mark.parametrize(
    "value",
    ["", "unknown", "999.1.1.1", "1.2.3.4:", "1.2.3.4:port", "1.2.3.4:123456", "01.2.3.4", "1.2.3.4/24", "x" * 5000],
)
def test_anything_that_is_not_an_ip_address_is_not_one(value):
    assert parse_address(value) is None


# Whom the header is believed from


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_a_header_from_a_peer_that_is_not_our_proxy_is_ignored(behind_proxy):
    assert client_address(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_our_proxy_names_the_client(behind_proxy):
    assert client_address(request_from(PROXY, "203.0.113.9")) == "203.0.113.9"


def test_what_the_client_wrote_in_front_of_our_proxy_s_entry_is_not_believed(behind_proxy):
    # The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the address it saw.
    assert client_address(request_from(PROXY, "6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_a_chain_of_our_proxies_is_walked_to_the_first_address_that_is_not_ours(behind_proxy):
    request = request_from(PROXY, "6.6.6.6, 203.0.113.9, 10.1.2.3, 10.0.0.9:8080")

    assert client_address(request) == "203.0.113.9"


def test_a_chain_of_only_our_proxies_names_the_farthest_one(behind_proxy):
    assert client_address(request_from(PROXY, "10.0.0.7, 10.0.0.8")) == "10.0.0.7"


def test_ports_and_ipv6_brackets_from_a_proxy_are_dropped(behind_proxy):
    assert client_address(request_from(PROXY, "203.0.113.9:5678")) == "203.0.113.9"
    assert client_address(request_from("2001:db8:ffff::1", "[2001:db8::7]:443")) == "2001:db8::7"
    assert client_address(request_from("::ffff:10.0.0.2", "203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", BAD_FORWARDED)
def test_an_unreadable_header_from_our_proxy_means_the_proxy_itself(behind_proxy, forwarded):
    assert client_address(request_from(PROXY, forwarded)) == PROXY


def test_an_unreadable_entry_behind_a_good_one_is_never_reached(behind_proxy):
    assert client_address(request_from(PROXY, "unknown, 203.0.113.9")) == "203.0.113.9"


def test_no_header_from_our_proxy_means_the_proxy_itself(behind_proxy):
    assert client_address(request_from(PROXY)) == PROXY


def test_a_peer_without_an_ip_address_is_a_valid_unknown_address(behind_proxy):
    # A Unix socket gives REMOTE_ADDR "": the lockout must still be able to store and count it.
    assert client_address(request_from("", "203.0.113.9")) == "0.0.0.0"  # noqa: S104


def test_rate_limit_keys_follow_the_address_not_the_forged_header(behind_proxy):
    assert client_key(request_from("198.51.100.4", "1.1.1.1")) == client_key(request_from("198.51.100.4", "2.2.2.2"))
    assert client_key(request_from(PROXY, "1.1.1.1")) != client_key(request_from(PROXY, "2.2.2.2"))


# Sign-in


@pytest.fixture
def lockout(settings, behind_proxy):
    settings.AXES_FAILURE_LIMIT = 3
    make_staff("nurse")


def sign_in(client, password, *, remote, forwarded):
    return client.post(
        reverse("admin:login"),
        {"username": "nurse", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=remote,
        headers={"x-forwarded-for": forwarded},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", ["1.2.3.4:5678", "[2001:db8::1]:443", *BAD_FORWARDED])
def test_sign_in_through_our_proxy_with_any_header_never_fails_and_failures_count(client, lockout, forwarded):
    statuses = [sign_in(client, "wrong", remote=PROXY, forwarded=forwarded).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    recorded = AccessAttempt.objects.get()
    assert recorded.failures_since_start == 3
    assert recorded.ip_address == client_address(request_from(PROXY, forwarded))
    ipaddress.ip_address(recorded.ip_address)  # a bare address, also where the column is text (SQLite)
    assert sign_in(client, PASSWORD, remote=PROXY, forwarded=forwarded).status_code == 429


@pytest.mark.django_db
def test_a_port_from_our_proxy_is_dropped_before_the_address_is_recorded(client, lockout):
    sign_in(client, "wrong", remote=PROXY, forwarded="203.0.113.9:5678")

    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_a_forged_header_from_elsewhere_neither_is_recorded_nor_escapes_the_lockout(client, lockout):
    statuses = [
        sign_in(client, "wrong", remote="198.51.100.4", forwarded=f"203.0.113.{n}").status_code for n in range(1, 4)
    ]

    assert statuses == [200, 200, 429]
    assert AccessAttempt.objects.get().ip_address == "198.51.100.4"
    assert sign_in(client, PASSWORD, remote="198.51.100.4", forwarded="192.0.2.1").status_code == 429


@pytest.mark.django_db
def test_two_clients_behind_our_proxy_are_locked_out_separately(client, lockout):
    for _ in range(3):
        sign_in(client, "wrong", remote=PROXY, forwarded="6.6.6.6, 203.0.113.9")

    assert sign_in(client, PASSWORD, remote=PROXY, forwarded="203.0.113.9").status_code == 429
    assert sign_in(client, PASSWORD, remote=PROXY, forwarded="198.51.100.4").status_code == 302


# The forms' rate limits


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_message_limit(client, settings, behind_proxy):
    settings.MESSAGE_RATE_LIMIT = (2, 600)
    url = reverse("contacts:message-create")
    statuses = [
        client.post(
            url,
            message_post_data(body=f"Please call me back ({n})."),
            REMOTE_ADDR="198.51.100.4",
            headers={"x-forwarded-for": f"203.0.113.{n}"},
        ).status_code
        for n in range(1, 4)
    ]

    assert statuses == [302, 302, 429]
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_comments_are_limited_per_client_behind_our_proxy_and_per_peer_otherwise(client, behind_proxy):
    article = make_article()
    url = reverse("contacts:comment-create", kwargs={"slug": article.slug})

    def post(remote, forwarded, n):
        data = {"name": "Sam", "email": f"sam{n}@example.com", "comment": f"Thank you ({n}).", "parent": ""}
        return client.post(url, data, REMOTE_ADDR=remote, headers={"x-forwarded-for": forwarded}).status_code

    # Within COMMENT_FLOOD_SECONDS a second comment from the same client waits.
    assert [post(PROXY, "203.0.113.9", 1), post(PROXY, "198.51.100.4", 2)] == [302, 302]
    assert [post("192.0.2.1", "203.0.113.1", 3), post("192.0.2.1", "203.0.113.2", 4)] == [302, 429]
    assert Comment.objects.count() == 3


# Configuration


def test_trusted_proxies_are_read_from_the_environment():
    env = production_env(DJANGO_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8, 2001:db8::/32")

    assert read_settings(env, "TRUSTED_PROXIES") == {"TRUSTED_PROXIES": ["127.0.0.1/32", "10.0.0.0/8", "2001:db8::/32"]}


@pytest.mark.parametrize("value", ["nginx", "10.0.0.1/8", "127.0.0.1:8000"])
def test_a_trusted_proxy_that_is_not_an_address_or_network_is_refused_at_startup(value):
    result = run(["manage.py", "check"], production_env(DJANGO_TRUSTED_PROXIES=value))

    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES takes IP addresses and networks" in result.stderr


def test_a_deployment_still_setting_the_old_proxy_count_is_told_by_check():
    env = production_env(DJANGO_TRUSTED_PROXY_COUNT="1", DJANGO_TRUSTED_PROXIES="")
    result = run(["manage.py", "check", "--deploy"], env)

    assert result.returncode != 0
    assert "clinic.E001" in result.stderr and "DJANGO_TRUSTED_PROXIES" in result.stderr


def test_a_stale_proxy_count_beside_the_new_variable_is_a_warning():
    env = production_env(DJANGO_TRUSTED_PROXY_COUNT="1")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "ERROR"], env)

    assert result.returncode == 0, result.stderr
    assert "clinic.W001" in result.stderr
