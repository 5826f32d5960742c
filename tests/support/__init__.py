"""Test helpers shared by every test package (import as ``support.server``: pytest puts
``tests/`` on sys.path because tests/conftest.py lives there)."""
