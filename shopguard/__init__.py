"""ShopGuard: local evidence checks for refund claims made with edited or AI-generated photos.

Importing this package does no I/O and creates no directories.
"""

__version__ = "0.1.0"
