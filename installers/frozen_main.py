"""Entry point of the frozen bundle: the same dispatch as the ``shopguard`` command."""

import multiprocessing

from shopguard.launcher import main

if __name__ == "__main__":
    # The library indexer fingerprints photos in worker processes; a frozen executable must let
    # those children run the worker instead of starting another ShopGuard.
    multiprocessing.freeze_support()
    raise SystemExit(main())
