"""Data shipped with ShopGuard (fonts, icons, demo shop); read through importlib.resources."""
