"""`python -m gongkai` is the `gongkai` command."""

import gc
import signal
import sys


def run() -> None:
    """The `gongkai` command. Ctrl-C while its modules load ends it as quietly as later on
    (exit status 130, no traceback); each command then sets its own handling."""
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(128 + signum))
    # Loading the modules makes some 40,000 objects that the collector tracks, all living as
    # long as the process: the collector's passes over them while they load, and in every full
    # collection after, find nothing to free. Python's recipe for that (see gc.freeze): no
    # collection while they load, then they go into the generation that collections leave alone.
    gc.disable()
    from .cli import main

    gc.freeze()
    gc.enable()
    try:
        main()
    finally:
        # The process ends here. Python's last garbage collections on the way out would walk
        # every object loaded (17 ms of a one-file run) to free memory that the exit frees anyway;
        # frozen objects are not walked. Every file is closed by then: nothing waits for them.
        gc.freeze()


if __name__ == "__main__":
    run()
