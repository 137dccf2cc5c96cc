"""Handing freed memory back to the system between stages (glibc's ``malloc_trim``)."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from generator import heap, pipeline

GLIBC = sys.platform.startswith("linux") and heap._malloc_trim() is not None


def _resident_kb() -> int:
    status = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_trimming_gives_back_what_was_freed_in_the_middle_of_the_heap():
    heap.trim()
    # Blocks below glibc's mmap threshold come from its heap; one kept at the top
    # stops the heap from shrinking when the others are freed.
    blocks = [ctypes.create_string_buffer(64 * 1024) for _ in range(1000)]
    top = ctypes.create_string_buffer(64 * 1024)
    for block in blocks:
        ctypes.memset(block, 1, len(block))  # resident: every page touched
    del blocks
    before = _resident_kb()
    assert heap.trim()
    assert before - _resident_kb() > 30_000  # of some 64 MB freed
    assert top.raw[:1] == b"\0"


def test_without_glibc_trimming_does_nothing(monkeypatch):
    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert heap._malloc_trim() is None
        assert heap.trim() is False
    finally:
        heap._malloc_trim.cache_clear()


def test_a_run_trims_between_its_stages(valid_project, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(heap, "trim", lambda: calls.append("trim") or True)
    assert pipeline.generate(valid_project).rendered
    assert calls == ["trim"] * 3
