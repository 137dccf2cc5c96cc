"""Handing the memory a stage freed back to the system before the next stage begins.

CPython asks the C library's ``malloc`` for every object over 512 bytes: list
and dict tables, long strings, packed fields. glibc gives freed memory back to
the system only from the top of its heap, so what a stage frees in the middle
(the check's suggestions, the render's caches) stays resident, and the next
stage's peak is counted on top of it. ``malloc_trim(3)`` releases every whole
free page at once. At 10,000 briefs, calling it between stages lowered the
peak of the stages after the check by 12 to 15 MB; the call takes milliseconds.

glibc also maps a block of 128 KiB or more on its own, so that freeing it
unmaps it, but it raises that threshold (up to 32 MB) each time such a block is
freed: after the first long page or pickle is let go, the next ones come from
the heap, where one freed below a live block stays resident. :func:`map_large_blocks`
fixes the threshold; at 10,000 briefs the peak fell by 6 MB.

Only glibc has these: elsewhere (musl, macOS, Windows) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

LARGE_BLOCK = 128 * 1024
"""The size from which a block is mapped on its own: glibc's starting threshold."""

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h


def _glibc(name: str, *arguments: Any) -> Callable[..., int] | None:
    """A function of the C library if it is glibc's, typed ``int name(arguments)``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        found = getattr(libc, name)
    except (OSError, AttributeError):
        return None
    found.argtypes = list(arguments)
    found.restype = ctypes.c_int
    return found  # type: ignore[no-any-return]


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` (glibc has one), or None where it has none."""
    return _glibc("malloc_trim", ctypes.c_size_t)


@functools.cache
def _mallopt() -> Callable[[int, int], int] | None:
    """The C library's ``mallopt`` if it is glibc's, or None."""
    return _glibc("mallopt", ctypes.c_int, ctypes.c_int)


def map_large_blocks() -> bool:
    """Keep blocks of :data:`LARGE_BLOCK` or more mapped on their own; True if set.

    Setting the map threshold also stops glibc adjusting the trim threshold
    (how much free memory at the top of the heap it keeps); that is set to
    twice the block, the ratio glibc's own adjustment keeps.
    """
    option = _mallopt()
    if option is None:
        return False
    mapped = option(_M_MMAP_THRESHOLD, LARGE_BLOCK)
    return bool(mapped and option(_M_TRIM_THRESHOLD, 2 * LARGE_BLOCK))


def resident_mb() -> float | None:
    """The resident set of the calling process now, in MB; None where ``/proc`` does not tell it."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def trim() -> bool:
    """Give the pages ``malloc`` holds free back to the system; True if any were."""
    release = _malloc_trim()
    return bool(release(0)) if release is not None else False
