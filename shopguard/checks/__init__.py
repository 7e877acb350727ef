"""Checks run on one complaint photo; each returns findings that carry their own evidence."""
