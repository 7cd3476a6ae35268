"""``python -m lstmdoc``: the command line (see :mod:`lstmdoc.cli`)."""

import sys

from .cli import main

sys.exit(main())
