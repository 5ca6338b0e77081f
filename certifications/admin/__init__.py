"""Admin: certification schemes (superusers) and assistance requests (the assisting office)."""

from certifications.admin import cases, certificates, documents, schemes  # noqa: F401
