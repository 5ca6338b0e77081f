from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Programmes and classes")

    def ready(self):
        from accounts import reach
        from accounts.privacy import register
        from cohorts.models import Enrollment, Program
        from cohorts.privacy import PART

        reach.register_source(programme_office)
        reach.keep(Enrollment)
        reach.keep(Program)
        register(PART)


def programme_office(enterprise_ids):
    """Reach an office has through an enterprise's enrollment in one of its programmes."""
    from cohorts.models import Enrollment

    return (
        Enrollment.objects.filter(enterprise_id__in=enterprise_ids)
        .values_list("program__office_id", "enterprise_id")
        .order_by()
        .distinct()
    )
