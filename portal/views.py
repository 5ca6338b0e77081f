from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts import roles
from accounts.models import Enterprise


@login_required
def home(request, **_ids):
    """The participant's start page: the enterprises they act for."""
    enterprises = Enterprise.objects.filter(
        pk__in=roles.enterprise_ids(request.user)
    ).select_related("province", "regency")
    return render(
        request,
        "portal/home.html",
        {
            "enterprises": enterprises,
            "may_use_admin": roles.may_use_admin(request.user),
        },
    )
