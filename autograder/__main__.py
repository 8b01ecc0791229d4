"""``python -m autograder`` is ``ai4md``."""

import sys

from autograder.cli import main

sys.exit(main())
