from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Programmes and classes")

    def ready(self):
        from accounts.privacy import register
        from accounts.selectors import register_enterprise_scope
        from cohorts.privacy import PART
        from cohorts.selectors import enterprises_in_programmes_of

        register_enterprise_scope(enterprises_in_programmes_of)
        register(PART)
