"""Entry point of the frozen bundle: the same dispatch as the ``shopguard`` command."""

from shopguard.launcher import main

raise SystemExit(main())
