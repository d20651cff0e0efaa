#!/usr/bin/env python3
"""Build the ML interview book: `python build.py --help`."""

import sys

from mlbook.cli import run

if __name__ == "__main__":
    sys.exit(run())
