"""`python -m gongkai` is the `gongkai` command."""

import atexit
import contextlib
import gc
import os
import signal
import sys
import threading


def run() -> None:
    """The `gongkai` command. Ctrl-C while its modules load ends it as later on (one line,
    `gongkai: interrupted`, exit status 130, no traceback); each command then sets its own
    handling. A SIGINT ignored on the way in (a shell's background job, `trap "" INT`) stays
    ignored, as the commands keep it."""
    _reopen_closed_streams()
    handled = signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    if handled:
        signal.signal(signal.SIGINT, _interrupted_while_loading)
    # Loading the modules makes some 40,000 objects that the collector tracks, all living as
    # long as the process: the collector's passes over them while they load, and in every full
    # collection after, find nothing to free. Python's recipe for that (see gc.freeze): no
    # collection while they load, then they go into the generation that collections leave alone.
    gc.disable()
    from .cli import main

    gc.freeze()
    gc.enable()
    if handled:  # each command says it was interrupted itself; once it has ended, nothing is said
        signal.signal(signal.SIGINT, _interrupted_after_the_command)
    try:
        main()
    except SystemExit as ending:
        if ending.code is None or isinstance(ending.code, int):
            _exit_now(ending.code or 0)
        raise
    finally:
        # Where Python's own exit ends the process after all, its last garbage collections
        # would walk every object loaded to free memory that the exit frees anyway; frozen
        # objects are not walked.
        gc.freeze()


def _reopen_closed_streams() -> None:
    """stderr or stdout closed when the command began (`2>&-`, `>&-`): Python makes them None, and
    the first line said or record written was a traceback (with stderr closed, not even that: exit
    status 1 and no output). stderr goes to /dev/null, as its messages were not wanted; stdout to a
    pipe that no one reads, so that writing to it ends the command as a stdout closed by its reader
    does (exit status 141, nothing said), and a command that writes only files runs as ever."""
    if sys.stderr is None:
        null = os.open(os.devnull, os.O_WRONLY)  # the lowest free descriptor: 1 if stdout is closed too
        os.dup2(null, 2)
        if null != 2:
            os.close(null)
        sys.stderr = open(2, "w", errors="backslashreplace", closefd=False)  # noqa: SIM115
    if sys.stdout is None:
        unread, end = os.pipe()
        os.dup2(end, 1)  # over the unread end where that took descriptor 1
        for descriptor in {unread, end} - {1}:
            os.close(descriptor)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115


def _interrupted_while_loading(signum: int, frame: object) -> None:
    """Ctrl-C before the command has begun: the one line every command says (it ended with
    exit status 130 and said nothing). A Ctrl-C again meanwhile is ignored: one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.write(2, b"gongkai: interrupted\n")
    sys.exit(128 + signum)


def _interrupted_after_the_command(signum: int, frame: object) -> None:
    """Ctrl-C once the command has handed its signals back (its own way out done, or not yet
    begun): exit status 130, nothing said. A Ctrl-C again is ignored: pressed while Python's exit
    ran (the ending command's handed back this handler before _exit_now ignored it, a window a
    busy machine holds open), each raised SystemExit again, in an exit handler ("Exception ignored
    in atexit callback", a traceback), or, once Python had put back the default, ended the process
    by SIGINT itself (exit status -2, not 130)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(128 + signum)


def _exit_now(code: int) -> None:
    """End the process as Python's exit does, but without freeing every object loaded one by one
    (10 ms of a one-file run) for memory that the process's end frees at once.

    Every command has closed its files by now; exit handlers run and stdout and stderr are
    flushed as on any exit. Where that cannot be done as simply (another thread still runs and
    no signal ended the command, a stream cannot be flushed), this returns and Python's own exit
    does it, as always.
    """
    # Ended by a signal, the other threads' work is abandoned (a scan's pages being read by OCR,
    # seconds each), and Python's exit would wait for them.
    if threading.active_count() > 1 and code < 128:
        return
    # Another Ctrl-C while the exit handlers stop the workers would raise in one of them
    # ("Exception ignored in atexit callback", a traceback): the command is ending already.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    atexit._run_exitfuncs()  # clears them: Python's exit, if it comes, does not run them again
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


if __name__ == "__main__":
    run()
