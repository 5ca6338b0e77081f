"""services of the cohorts app."""
