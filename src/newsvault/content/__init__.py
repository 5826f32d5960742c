"""The content stage: article HTML as it is displayed and exported. ``sanitize`` makes it
safe (a pure function); ``clean`` keeps the archive's clean HTML in step and reads it."""

from newsvault.content.clean import CleanReport, displayed_contents, update_clean
from newsvault.content.sanitize import SANITIZER_VERSION, clean_html, image_urls

__all__ = ["SANITIZER_VERSION", "CleanReport", "clean_html", "displayed_contents",
           "image_urls", "update_clean"]
