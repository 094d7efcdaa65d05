"""The staff users tests sign in as are members of the roles in `clinic.roles`, with what the roles grant now."""

import pytest

from clinic.roles import COUNSELOR_LEADS, COUNSELORS, EDITORS, MODERATORS, ROLES, role_permissions
from tests.factories import make_counselor, make_editor, make_member, make_moderator

pytestmark = pytest.mark.django_db


def granted(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in role_permissions(role)}


@pytest.mark.parametrize(
    ("build", "role"),
    [
        (make_editor, EDITORS),
        (make_moderator, MODERATORS),
        (make_counselor, COUNSELORS),
        (lambda: make_counselor(export=True), COUNSELOR_LEADS),
    ],
    ids=["editor", "moderator", "counselor", "counselor lead"],
)
def test_each_staff_builder_makes_a_member_of_one_role_holding_exactly_its_permissions(build, role):
    user = build()

    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.get_all_permissions() == granted(role)
    assert not user.user_permissions.exists()


def test_a_member_holds_the_role_as_defined_now_not_as_the_migration_left_it(monkeypatch):
    monkeypatch.setitem(ROLES, MODERATORS, ["contacts.view_comment"])

    assert make_member("mo", MODERATORS).get_all_permissions() == {"contacts.view_comment"}


def test_a_role_name_that_is_not_defined_is_refused():
    with pytest.raises(AssertionError, match="no such role: Moderator"):
        make_member("mo", "Moderator")
