from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationsConfig(AppConfig):
    name = "certifications"
    verbose_name = _("Certification assistance")

    def ready(self):
        from accounts.privacy import register
        from certifications.privacy import PART

        register(PART)
