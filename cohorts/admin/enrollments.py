"""Admin: enrollments."""
