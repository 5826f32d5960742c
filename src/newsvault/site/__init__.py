"""The reader's site: the archive as static pages (``build_site``), and ``serve``."""

from newsvault.site.builder import BuildReport, build_archive_site, build_site, site_options

__all__ = ["BuildReport", "build_archive_site", "build_site", "site_options"]
