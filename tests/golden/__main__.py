"""Regenerate the golden files: ``python -m tests.golden``."""

from tests.golden import regenerate

changed = regenerate()
print("changed: " + ", ".join(changed) if changed else "golden files are up to date")
