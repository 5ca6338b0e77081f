import time

from django.conf import settings
from django.utils import translation


class PreferredLanguageMiddleware:
    """A signed-in user reads the site in their preferred language unless they chose another.

    Runs after LocaleMiddleware: an explicit choice (the language cookie set by /i18n/setlang/)
    wins over the profile.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.preferred_language
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def stamp_session_at_login(sender, request, user, **kwargs) -> None:
    """Signing in saves the session anyway: stamp it then, so the first page after it does not
    save it again."""
    if getattr(request, "session", None) is not None:
        request.session["_refreshed_at"] = int(time.time())


class SessionIdleMiddleware:
    """A signed-in session lives SESSION_COOKIE_AGE seconds after the last request: touching it
    (at most once per SESSION_REFRESH_SECONDS) saves it with a new expiry, so an idle session
    ends on time and an active one does not cost a write per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get("_refreshed_at", 0) >= settings.SESSION_REFRESH_SECONDS:
                session["_refreshed_at"] = now
        return self.get_response(request)
