"""The only code that decodes image files: size limits, EXIF orientation, HEIC/AVIF, read-only."""

from shopguard.imaging.decode import DecodedImage, SourceFile, decode, probe, read_source

__all__ = ["DecodedImage", "SourceFile", "decode", "probe", "read_source"]
