from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    """The trade office's admin tools; no models of their own."""

    name = "office"
    verbose_name = _("Office tools")
