"""Briefings: structured YAML briefs in, a cross-linked static briefing site out.

The pipeline (see ``pipeline.py``): load → validate → index → render → write → build.
"""

__version__ = "0.1.0"
