from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Messages and comments"

    def ready(self):
        from contacts import checks  # noqa: F401 - registers the system checks
