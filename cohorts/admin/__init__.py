"""The staff admin of programmes, split by concern: programmes, seats, running a class."""

from cohorts.admin import enrollments, programs, running  # noqa: F401  (registers the admins)
