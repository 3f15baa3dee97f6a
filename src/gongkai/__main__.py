"""`python -m gongkai` is the `gongkai` command."""

from .cli import main

main()
