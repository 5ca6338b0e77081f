"""``{% load naikkelas_format %}`` then ``{{ amount|rupiah }}`` shows ``Rp556.562.500``."""

from django import template

from accounts import formatting

register = template.Library()


@register.filter
def rupiah(value):
    return formatting.rupiah(value)


@register.filter
def thousands(value):
    return formatting.thousands(value)
