"""Orchestration: runs the stages (fetch → feeds → store → export) for the commands."""
