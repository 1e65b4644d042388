"""`python -m outliers`: the same as the `outliers` command."""

import sys

from .cli import main

sys.exit(main())
