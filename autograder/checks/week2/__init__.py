"""Checks for week 2 (evaluating diagnostic models): one module per lesson."""
