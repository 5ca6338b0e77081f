"""The project's URLs plus /bench/floor/: a signed-in page that runs one query of its own.

The floor goes through the same middleware as every portal page (session, user, language,
idle refresh, CSP...), so the portal home's time ÷ the floor's time is what the home costs
beyond what any signed-in page must pay.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from accounts.models import EnterpriseMembership
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


@login_required
def floor(request):
    enterprises = EnterpriseMembership.objects.filter(user=request.user).count()
    return HttpResponse(f"<!doctype html><title>floor</title><p>{enterprises}</p>")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *project_urlpatterns]
