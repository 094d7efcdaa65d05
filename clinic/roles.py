"""The staff roles: which admin group holds which permissions, in one table.

Migration `contacts.0004_audit_and_roles` created the groups from a frozen copy of this table;
`manage.py sync_roles` re-applies the current one, so change roles here and run it.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet

EDITORS = "Editors"
COUNSELORS = "Counselors"
COUNSELOR_LEADS = "Counselor leads"
MODERATORS = "Moderators"
CLINIC_ADMINS = "Clinic admins"

_COUNSELOR_WORK = [
    "contacts.view_message",
    "contacts.change_message",
    "contacts.view_messagenote",
    "contacts.add_messagenote",
    # To open a comment flagged for crisis language from its urgent notification.
    "contacts.view_comment",
]

# Group name → "app_label.codename" permissions. None means every permission there is.
ROLES: dict[str, list[str] | None] = {
    EDITORS: [
        f"articles.{action}_{model}"
        for model in ("article", "faqentry", "source")
        for action in ("view", "add", "change", "delete")
    ],
    # Triage and notes; never delete (only retention and erasure delete messages), never export.
    COUNSELORS: _COUNSELOR_WORK,
    # The same work plus the CSV export, for the few who report on the queue, and the staff
    # notification outbox (read-only, with "Send again now") for when the mail server fails.
    COUNSELOR_LEADS: [*_COUNSELOR_WORK, "contacts.export_message", "contacts.view_notification"],
    # Spam and trash are states, not deletions: `purge_old_comments` deletes them after 30 days.
    MODERATORS: ["contacts.view_comment", "contacts.change_comment", "contacts.can_moderate"],
    CLINIC_ADMINS: None,
}


def role_permissions(name: str) -> QuerySet:
    """The permissions the role `name` must hold, as they exist in the database now."""
    wanted = ROLES[name]
    if wanted is None:
        return Permission.objects.all()
    query = Q(pk__in=[])
    for perm in wanted:
        app_label, codename = perm.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


class MissingPermission(Exception):
    """A role names a permission that does not exist (a typo, or an app not migrated yet)."""


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Make every group of `ROLES` exist with exactly its permissions, no more, no fewer.

    Idempotent. Permissions given to these groups by hand are removed; other groups and
    per-user permissions are left alone. Raises `MissingPermission` (changing nothing) if a
    role names a permission that does not exist. Returns each group's permission count.
    """
    counts = {}
    for name, wanted in ROLES.items():
        permissions = list(role_permissions(name))
        if wanted is not None and len(permissions) != len(wanted):
            found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
            raise MissingPermission(f"{name}: no such permission {', '.join(sorted(set(wanted) - found))}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts
