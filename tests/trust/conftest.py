"""The trust tests reuse the admin's sample rows: one of every model, all in Lampung's scope."""

from tests.admin.conftest import lampung_world  # noqa: F401
