"""ai4md package."""
