"""Worker processes on all cores for the slow stages (formulas, layout), stopped cleanly on any error.

Workers are forked from the build, ignore Ctrl-C (the build handles it and stops them) and are
killed by the kernel if the build dies, even by SIGKILL: no worker outlives its build.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator

from mlbook import interrupts

PR_SET_PDEATHSIG = 1


def count(tasks: int) -> int:
    """Workers for this many tasks: one per core, no more than there are tasks."""
    return max(1, min(os.cpu_count() or 1, tasks))


def run_unordered(function: Callable, tasks: Iterable, workers: int, chunksize: int = 1) -> Iterator:
    """`function(task)` for every task in worker processes, results as they come.

    The build's objects are frozen out of the garbage collector while its workers run: a collection
    in a worker would write to every object it inherited, and so copy the build's memory into each
    worker (for a 4× bank, 150 MB per worker).
    """
    gc.freeze()
    pool = None
    try:
        # A Ctrl-C while the workers are forked waits until the pool is whole: Python runs the signal's
        # handler in the hooks of the next fork, which drop its KeyboardInterrupt (the build went on)
        with interrupts.held():
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=_started, initargs=(os.getpid(),))
        yield from pool.imap_unordered(function, tasks, chunksize)
    except BaseException:
        if pool is not None:
            pool.terminate()
            pool.join()
        raise
    finally:
        gc.unfreeze()
    pool.close()
    pool.join()


def _started(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    interrupts.released()  # forked while the build held them back; SIGTERM stops a worker
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)
