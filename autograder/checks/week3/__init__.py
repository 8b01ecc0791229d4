"""Checks for week 3 (brain MRI segmentation): one module per lesson."""
