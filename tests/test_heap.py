"""Handing freed memory back to the system between stages (glibc's ``malloc_trim``)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import pytest

from generator import heap, pipeline
from tests.conftest import ROOT

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


def test_without_glibc_nothing_is_trimmed_or_set(monkeypatch):
    found = (heap._malloc_trim, heap._mallopt)
    for cached in found:
        cached.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert heap._malloc_trim() is None and heap._mallopt() is None
        assert heap.trim() is False
        assert heap.map_large_blocks() is False
    finally:
        for cached in found:
            cached.cache_clear()


def test_a_run_trims_between_its_stages(valid_project, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(heap, "trim", lambda: calls.append("trim") or True)
    assert pipeline.generate(valid_project).rendered
    assert calls == ["trim"] * 4  # after the suggestions, the check, the render, the graph


_FREED_IN_THE_MIDDLE = """
import ctypes, sys
from pathlib import Path
from generator import heap

def resident_kb():
    status = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

if sys.argv[1] == "fixed":
    assert heap.map_large_blocks()
size = 512 * 1024
ctypes.create_string_buffer(size)  # freed at once: glibc raises its threshold past it
blocks = [ctypes.create_string_buffer(size) for _ in range(100)]
top = ctypes.create_string_buffer(size)
for block in blocks:
    ctypes.memset(block, 1, len(block))  # resident: every page touched
before = resident_kb()
del blocks
print(before - resident_kb())
"""


@pytest.mark.skipif(not GLIBC, reason="mallopt's thresholds are glibc's")
def test_large_blocks_freed_below_a_live_one_go_back_at_once_once_they_are_mapped_alone():
    """Each run in a process of its own: the thresholds are the process's for good."""

    def freed_kb(mode: str) -> int:
        found = subprocess.run(
            [sys.executable, "-c", _FREED_IN_THE_MIDDLE, mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        return int(found.stdout)

    assert freed_kb("fixed") > 40_000  # of some 50 MB freed
    assert freed_kb("adjusted") < 10_000  # glibc's own way: kept in the heap


def test_a_run_maps_large_blocks_alone_before_it_checks(valid_project, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(heap, "map_large_blocks", lambda: calls.append("map") or True)
    check = pipeline.check_with_cache_file
    monkeypatch.setattr(
        pipeline, "check_with_cache_file", lambda *a: calls.append("check") or check(*a)
    )
    assert pipeline.generate(valid_project).rendered
    assert calls == ["map", "check"]


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="Linux's /proc")
def test_the_resident_size_grows_with_what_is_touched():
    before = heap.resident_mb()
    block = ctypes.create_string_buffer(64 * 1024 * 1024)
    ctypes.memset(block, 1, len(block))
    after = heap.resident_mb()
    assert before is not None and after is not None
    assert after - before >= 60
    assert abs(after - _resident_kb() / 1024) < 8  # what /proc/self/status says too


@pytest.mark.parametrize(
    ("jobs", "work", "budget", "size", "cores", "expected"),
    [
        (3, 10, 300, 500.0, 8, 3),  # jobs as set, whatever the memory
        (0, 10, 300, 50.0, 8, 1),  # too little work to share
        (0, 1000, 0, 500.0, 8, 8),  # no budget: every core
        (0, 1000, 300, 100.0, 8, 3),  # three copies of 100 MB fit in 300
        (0, 1000, 300, 100.0, 2, 2),  # no more than the cores
        (0, 1000, 300, 262.0, 2, 1),  # 10,000 briefs: a second copy would not fit
        (0, 1000, 300, 400.0, 2, 1),  # never fewer than one
        (0, 1000, 300, None, 2, 2),  # where the size is unknown, every core
    ],
)
def test_processes_fit_the_memory_budget(monkeypatch, jobs, work, budget, size, cores, expected):
    monkeypatch.setattr(heap, "resident_mb", lambda: size)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: cores)
    assert pipeline.processes(jobs, work, 100, budget) == expected
