"""Country names in Indonesian: django-countries ships none, the project's catalogue has them.

The names live in config/locale_countries (msgids as django-countries spells them)."""

from django.utils import translation
from django_countries import countries


def test_country_names_are_indonesian_in_indonesian():
    with translation.override("id"):
        assert countries.name("JP") == "Jepang"
        assert countries.name("DE") == "Jerman"
        assert dict(countries)["US"] == "Amerika Serikat"


def test_country_names_stay_english_in_english():
    with translation.override("en"):
        assert countries.name("JP") == "Japan"


def test_every_country_django_countries_lists_has_an_indonesian_name():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(
        str(settings.BASE_DIR / "config/locale_countries/id/LC_MESSAGES/django.po")
    )
    translated = {entry.msgid for entry in catalogue.translated_entries()}
    with translation.override("en"):
        english = {str(name) for _code, name in countries}
    assert english - translated == set()
