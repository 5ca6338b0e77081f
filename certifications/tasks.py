"""tasks of the certifications app."""
