"""Entry point of the frozen bundle: the same dispatch as the ``shopguard`` command.

Started as ``shopguard-gui`` (the Linux package's link used by the desktop entry, "Open with") it always
opens the window, with any file arguments as photos to check, like the ``shopguard-gui`` script of a pip install.
"""

import multiprocessing
import os
import sys
from pathlib import Path

from shopguard.launcher import main

if __name__ == "__main__":
    # The library indexer fingerprints photos in worker processes; a frozen executable must let
    # those children run the worker instead of starting another ShopGuard.
    multiprocessing.freeze_support()
    # The windowed Windows executable has no console: sys.stdout/stderr are None, and a message written to
    # them would crash the app. Send them nowhere instead (shopguard-cli.exe is the one for terminals).
    if sys.stdout is None:
        sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if Path(sys.argv[0]).name.startswith("shopguard-gui"):
        from shopguard.gui.app import main as gui_main

        raise SystemExit(gui_main(sys.argv[1:]))
    raise SystemExit(main())
