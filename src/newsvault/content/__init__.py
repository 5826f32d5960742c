"""The content stage: article HTML as it is displayed and exported (sanitize.py), kept in
step with the archive (clean.py)."""

from newsvault.content.sanitize import SANITIZER_VERSION, clean_html, image_urls

__all__ = ["SANITIZER_VERSION", "clean_html", "image_urls"]
