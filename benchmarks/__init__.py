"""Performance benchmark of the briefing-site generator: a synthetic corpus and timings."""
