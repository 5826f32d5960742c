"""newsvault: keep news from disappearing.

Pipeline stages, one package each: ``fetch`` (HTTP) → ``feeds`` (parsing) →
``store`` (SQLite, the store of record) → ``export`` (Jekyll posts out and in).
"""

__version__ = "0.1.0"
