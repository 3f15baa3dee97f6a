"""`python -m gongkai` is the `gongkai` command."""

import signal
import sys


def run() -> None:
    """The `gongkai` command. Ctrl-C while its modules load ends it as quietly as later on
    (exit status 130, no traceback); each command then sets its own handling."""
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(128 + signum))
    from .cli import main

    main()


if __name__ == "__main__":
    run()
