from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def in_zone(moment, zone_name):
    """A moment in the venue's zone (a class in Makassar shows WITA), for |date."""
    if moment is None:
        return None
    return timezone.localtime(moment, ZoneInfo(zone_name or "Asia/Jakarta"))


@register.filter
def zone_abbr(moment, zone_name):
    if moment is None:
        return ""
    return timezone.localtime(moment, ZoneInfo(zone_name or "Asia/Jakarta")).tzname()
