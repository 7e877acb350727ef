"""``python -m shopguard`` behaves like the ``shopguard`` command."""

from shopguard.launcher import main

raise SystemExit(main())
