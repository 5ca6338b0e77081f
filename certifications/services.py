"""services of the certifications app."""
