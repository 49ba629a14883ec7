"""``python -m hunyuan_emulator``: the ``hunyuan-emulator`` command."""

import sys

from .cli import main

sys.exit(main())
