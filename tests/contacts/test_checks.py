from contacts.checks import counselors_email_check


def test_deploy_check_warns_when_no_counselor_is_notified(settings):
    settings.COUNSELORS_EMAIL = []

    assert [warning.id for warning in counselors_email_check(None)] == ["contacts.W001"]


def test_deploy_check_is_quiet_with_counselor_addresses(settings):
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]

    assert counselors_email_check(None) == []
