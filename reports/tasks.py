"""tasks of the reports app."""
