#!/usr/bin/env python3
"""Build the ML interview book: `python build.py --help`."""

import gc
import sys

if __name__ == "__main__":
    try:
        from mlbook.cli import run
    except KeyboardInterrupt:  # Ctrl-C while the libraries load: nothing was started yet
        sys.exit(130)
    # A build makes millions of objects and few reference cycles: the libraries' objects are kept out of
    # the collector's passes, and it passes a seventieth as often (loading, checking and rendering the
    # book: 1.8 → 1.3 s of CPU); the layout's workers turn it off for a part (`pdf.layout`).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    sys.exit(run())
