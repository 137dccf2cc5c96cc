"""One command, timed from the outside: wall-clock seconds and its peak memory.

The figures issue 15 sets targets for are what an author waits for at the command
line (``briefings build``, ``hugo``), so they are timed as subprocesses, whatever
the code inside them does.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    """One finished command."""

    seconds: float
    returncode: int
    peak_rss_mb: float
    """``ru_maxrss`` from ``wait4``: the largest of the process and the children it waited for."""
    stderr: str
    """The last 4,000 characters of what it wrote to stderr."""


def run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` in ``cwd``, stdout discarded, stderr kept (in a file: no pipe to fill)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    return Run(seconds, process.returncode, usage.ru_maxrss / 1024, text[-4000:])
