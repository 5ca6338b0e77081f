"""Numbers as people in Indonesia read them: ``Rp556.562.500``."""

from __future__ import annotations


def thousands(value: int | None) -> str:
    """An integer with dots between the thousands (``556.562.500``); empty for none."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", ".")


def rupiah(value: int | None) -> str:
    """An amount of rupiah as ``Rp556.562.500`` (``-Rp1.000`` when negative)."""
    if value is None or value == "":
        return ""
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{thousands(abs(amount))}"
