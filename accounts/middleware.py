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
