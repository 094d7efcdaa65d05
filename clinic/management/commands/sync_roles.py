"""Give the staff groups (Editors, Counselors, Counselor leads, Moderators, Clinic admins) exactly their permissions.

Run after every `migrate` that adds models or permissions (it is part of the deploy steps), and
after changing `clinic/roles.py`. Idempotent; "Clinic admins" receive every permission that
exists at that moment.
"""

from django.core.management.base import BaseCommand, CommandError

from clinic.roles import MissingPermission, roles_sync


class Command(BaseCommand):
    help = "Create the staff groups and give each exactly the permissions listed in clinic/roles.py."

    def handle(self, *args, **options):
        try:
            counts = roles_sync()
        except MissingPermission as error:
            raise CommandError(f"{error}. Run `manage.py migrate` first; nothing was changed.") from error
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} permission(s).")
