"""The window's pages: check, result, cases, library, settings."""
