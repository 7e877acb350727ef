"""ShopGuard: local evidence checks for refund claims made with edited or AI-generated photos.

Importing this package does no I/O and creates no directories. It sets one process default before numpy is
loaded (``OPENBLAS_NUM_THREADS``, below); a value already in the environment is kept.
"""

import os

# The engine's linear algebra is small: least-squares fits of 4-7 numbers over ~50,000 samples (the colour map,
# the gain field, the local tone field). OpenBLAS splits each such call over threads that cost more to wake and
# spin than the arithmetic: on the 12 MP change-map benchmark ~240 ms of ~920 ms CPU (session 16), for the same
# change map bit for bit. OpenBLAS reads this when numpy is first imported, which every entry point (``shopguard``,
# ``shopguard-gui``, the frozen bundle) does after importing this package.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
