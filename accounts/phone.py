"""Phone numbers are stored in E.164; Indonesian local forms (08…) become +628…."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

E164_REGEX = r"^\+[1-9][0-9]{6,14}$"


def normalize_phone(value: str, region: str = "ID") -> str:
    """Return ``value`` in E.164, or raise ValidationError in the user's language."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a valid phone number, for example 0812 3456 7890."), code="invalid_phone"
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("Enter a valid phone number, for example 0812 3456 7890."), code="invalid_phone"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(models.CharField):
    """A CharField that accepts local or international forms and keeps E.164."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value) if value else ""

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, "accounts.phone.PhoneNumberField", args, kwargs
