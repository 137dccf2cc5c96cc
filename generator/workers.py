"""Worker processes that share the generator's work, and never outlive it.

The workers are forked, so they inherit lazy shares of pages instead of
receiving them pickled. Two things could leave them behind. A parent killed
with SIGKILL runs no cleanup at all, and its workers would wait on their pipe
for ever; so each worker asks the kernel to kill it when its parent dies. And
Ctrl-C reaches every process of the terminal's group; a worker that took it
would print a traceback of its own; so the workers ignore it and the parent,
which handles it, stops them.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
"""prctl(2)'s option that names the signal a process gets when its parent dies."""


def can_fork() -> bool:
    """Whether worker processes can inherit lazy shares: Linux's fork, and another core."""
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


@contextmanager
def fork_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` forked processes, stopped at once if the parent gives up.

    On success the pool shuts down as usual. On any exception (Ctrl-C
    included) the workers are killed rather than waited for: their results
    would be thrown away, and a worker may be minutes into its share.
    """
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown()


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers and wait until they are gone."""
    processes = list((pool._processes or {}).values())  # no public way to reach them
    for process in processes:
        process.kill()
    for process in processes:
        process.join()
    pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int) -> None:
    """In a new worker: leave Ctrl-C to the parent, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(1)


def die_with_parent() -> None:
    """Ask Linux to kill this process when the thread that forked it ends.

    The pools are created and used by one thread, which waits for them, so
    that thread ends only with the parent process.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        log.warning("a worker could not be tied to its parent: %s", os.strerror(error))
