from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Reminders")

    def ready(self):
        from accounts.privacy import register
        from notifications.privacy import PART

        register(PART)
