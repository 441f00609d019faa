"""``python -m evalmon`` is ``evalmon``."""

import sys

from evalmon.cli import main

if __name__ == "__main__":  # not when multiprocessing's fork server imports it
    sys.exit(main())
