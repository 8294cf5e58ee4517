"""``python -m tinygrad_edu``: the command line."""

from .cli import main

raise SystemExit(main())
