"""``python -m lstmdoc.grader FILE.py``."""

import sys

from .command import main

sys.exit(main())
