"""The admin start page's dashboard, for the user looking at it."""

from django import template

from reports.dashboard import office_dashboard as build

register = template.Library()


@register.simple_tag(takes_context=True)
def office_dashboard(context):
    request = context.get("request")
    return build(user=request.user) if request is not None else None
