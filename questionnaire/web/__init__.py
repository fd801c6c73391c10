"""The web application: customer pages (and, later, the engineers' workspace)."""
