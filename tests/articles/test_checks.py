from articles.checks import check_site_url


def test_deploy_check_warns_while_site_url_is_a_local_address(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    assert [warning.id for warning in check_site_url(None)] == ["articles.W001"]


def test_deploy_check_accepts_a_public_https_site_url(settings):
    settings.SITE_URL = "https://clinic.example.org"

    assert check_site_url(None) == []
