"""The headless command line: ``shopguard check``, ``library``, ``cases``, ``report`` (docs/cli.md)."""
