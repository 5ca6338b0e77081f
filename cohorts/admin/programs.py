"""Admin: programs."""
