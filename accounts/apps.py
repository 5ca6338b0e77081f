from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and enterprises")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import reach
        from accounts.middleware import stamp_session_at_login
        from accounts.models import Enterprise

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="stamp_session_at_login")
        reach.register_source(registering_office)
        reach.keep(Enterprise)


def registering_office(enterprise_ids):
    """Reach an office has by registering the enterprise."""
    from accounts.models import Enterprise

    return Enterprise.objects.filter(pk__in=enterprise_ids).values_list("registered_by_id", "pk")
