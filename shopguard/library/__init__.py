"""The shop library: a SQLite catalogue of the seller's own product photos and what matching needs."""
