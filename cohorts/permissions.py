"""Who may act for a programme or an enterprise: the checks every cohorts service runs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import roles
from accounts import selectors as account_selectors
from accounts.models import User
from cohorts.models import Program


def actor_manages_program(actor: User | None, program: Program) -> bool:
    """Platform admins and the staff of the programme's office act for the programme."""
    if actor is None:
        return False
    return roles.is_platform_admin(actor) or program.office_id in roles.office_ids(actor)


def require_program_staff(actor: User | None, program: Program) -> None:
    if not actor_manages_program(actor, program):
        raise ValidationError(
            _("Only the staff of this programme's office may do this."), code="permission"
        )


def actor_acts_for_enterprise(actor: User | None, enterprise_id: int, program: Program) -> bool:
    """A member of the enterprise, or office staff acting on its behalf."""
    if actor is None:
        return False
    return enterprise_id in roles.enterprise_ids(actor) or actor_manages_program(actor, program)


def actor_may_enrol(actor: User | None, enterprise_id: int, program: Program) -> bool:
    """A member applies for its own enterprise; the programme's staff for an enterprise their
    office may already read (registered by it, or taking part in its programmes), so an
    application never widens what an office can read."""
    if actor is None:
        return False
    if enterprise_id in roles.enterprise_ids(actor):
        return True
    if not actor_manages_program(actor, program):
        return False
    return account_selectors.enterprises_visible_to(actor).filter(pk=enterprise_id).exists()
