"""Helpers for the real-browser tests: a local HTTP server, Chromium and axe-core."""
