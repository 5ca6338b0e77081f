"""tasks of the cohorts app."""
