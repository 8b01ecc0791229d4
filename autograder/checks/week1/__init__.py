"""Checks for week 1 (chest X-rays, from-scratch kernels): one module per lesson."""
