"""Ctrl-C and SIGTERM held back while a block runs that an interruption must not cut in the middle."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HELD = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def held() -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM wait until the block is done, then take effect.

    Python handles signals in the main thread only; in another thread this holds nothing back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def released() -> None:
    """In a process forked inside `held()`: the signals reach it again (a child inherits the mask)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
