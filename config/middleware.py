"""Middleware that guards every request before any view runs: the size of its body and the
characters of its query string."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _


def render_error(
    request: HttpRequest | None, status: int, template: str, **context
) -> HttpResponse:
    """An error page that needs nothing but the template: no database, no session, no user."""
    body = loader.get_template(template).render({"status": status, **context})
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Answers 413 to a request whose declared body exceeds MAX_REQUEST_BYTES, before any
    part of it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            with translation.override(translation.get_language_from_request(request)):
                return render_error(
                    request,
                    413,
                    "errors/413.html",
                    limit=settings.MAX_REQUEST_BYTES,
                )
        return self.get_response(request)


class NulQueryMiddleware:
    """Answers 400 to a query string carrying a NUL character: no search or filter has a
    use for one, and PostgreSQL refuses it in any text it is asked to compare."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        named = next(
            (
                key
                for key, values in request.GET.lists()
                if "\x00" in key or any("\x00" in v for v in values)
            ),
            None,
        )
        if named is not None:
            with translation.override(translation.get_language_from_request(request)):
                if request.path.startswith("/api/"):
                    # the API's own shape of a refusal: the parameter and its messages
                    message = _("This parameter holds a NUL character, which no parameter accepts.")
                    return JsonResponse({named.replace("\x00", ""): [str(message)]}, status=400)
                return render_error(request, 400, "errors/400.html")
        return self.get_response(request)
