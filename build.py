#!/usr/bin/env python3
"""Build the ML interview book: `python build.py --help`."""

import gc
import sys

if __name__ == "__main__":
    from mlbook import interrupts

    try:
        # pikepdf's extension aborts the process (SIGABRT, "Critical nanobind error") when Ctrl-C comes
        # while it starts: a Ctrl-C waits until the libraries are loaded, then stops the build
        with interrupts.held():
            from mlbook.cli import run

        # A build makes millions of objects and few reference cycles: the libraries' objects are kept out
        # of the collector's passes, and it passes a seventieth as often (loading, checking and rendering
        # the book: 1.8 → 1.3 s of CPU); the layout's workers turn it off for a part (`pdf.layout`).
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        code = run()
    except KeyboardInterrupt:  # Ctrl-C while the libraries load or the options are read: nothing started yet
        code = 130
    sys.exit(code)
