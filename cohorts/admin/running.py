"""Admin: running."""
