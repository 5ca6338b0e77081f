"""What the certification admin pages share."""

from certifications import selectors


def cases_managed(request):
    """The requests the user's office assists (every request for platform admins)."""
    return selectors.cases_managed_by(request.user)
