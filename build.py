#!/usr/bin/env python3
"""Build the ML interview book: `python build.py --help`."""

import sys

if __name__ == "__main__":
    try:
        from mlbook.cli import run
    except KeyboardInterrupt:  # Ctrl-C while the libraries load: nothing was started yet
        sys.exit(130)
    sys.exit(run())
