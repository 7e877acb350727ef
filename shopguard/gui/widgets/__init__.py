"""Reusable widgets: drop zone, zoomable photo view, verdict banner."""
