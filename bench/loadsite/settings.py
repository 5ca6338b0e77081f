"""The project's settings, unchanged but for the URLs: the project's plus the floor page."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "loadsite.urls"
