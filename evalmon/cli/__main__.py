"""``python -m evalmon.cli`` is ``evalmon``."""

import sys

from evalmon.cli import main

sys.exit(main())
