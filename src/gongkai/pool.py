"""Worker processes whose time limit the parent enforces.

A reading can hang inside a C library (PDFium), where no signal handler of the
worker ever runs. So the parent keeps the clock: each worker holds one task at a
time, and a worker still busy when its task's time is up is killed and replaced.
A worker that dies on its own (a crash in C, the out-of-memory killer) is
replaced the same way; either way the task gets an `Outcome` that says why.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import multiprocessing
    from multiprocessing.connection import Connection

# A worker is replaced after this many tasks, so that whatever a long batch leaves
# behind in one process (allocator fragmentation, caches) cannot grow without bound.
TASKS_PER_WORKER = 200

_PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent ends

TIMEOUT = "timeout"
CRASHED = "crashed"


@dataclass(frozen=True)
class Outcome:
    """What became of one task: its result, or why there is none (TIMEOUT or CRASHED), and
    for how many seconds it ran (until its result came, its time was up or its worker died)."""

    index: int
    result: Any = None
    failure: str | None = None
    detail: str = ""
    seconds: float = 0.0


# Forked workers share the parent's loaded modules and dictionary pages; where fork is
# not offered (Windows) or not safe (macOS), workers start afresh.
FORKS = sys.platform.startswith("linux")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing  # here: a one-file run (`call_with_limit`) needs none of it

    method = "fork" if FORKS else "spawn"
    return multiprocessing.get_context(method)


def dying_with(parent: int) -> Callable[[], None] | None:
    """On Linux, what a child of `parent` calls to be killed when `parent` ends, even by kill -9
    (which leaves the parent no say); None elsewhere.

    Found before the fork, as a process started from a thread may only call what needs no
    lock (loading would take one another thread may have held: subprocess's preexec_fn).
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None).prctl

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent ended before the request took effect
            os._exit(1)

    return die_with_parent


def _die_with_parent() -> None:
    """End this process when its parent ends, even by kill -9.

    A worker cannot rely on its pipe closing: its siblings inherited the parent's
    ends of each other's pipes. Linux ends the process itself; elsewhere a thread watches.
    """
    parent = os.getppid()
    die_with_parent = dying_with(parent)
    if die_with_parent is not None:
        die_with_parent()
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _become_worker() -> None:
    """A new worker process leaves its ending to the parent."""
    _die_with_parent()
    # Ctrl-C and a closed terminal (SIGHUP) reach the whole process group; the parent decides,
    # and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _serve(connection: Connection, function: Callable[[Any], Any]) -> None:
    """A worker's loop: take a task, send back its result, until the parent hangs up."""
    _become_worker()
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        connection.send(function(task))


class _Worker:
    def __init__(self, context, function: Callable[[Any], Any]):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, function), daemon=True)
        self.process.start()
        child_end.close()
        self.index: int | None = None  # the task it holds
        self.started = 0.0  # when it was given the task (time.monotonic)
        self.deadline = float("inf")
        self.tasks_done = 0

    def give(self, index: int, task: Any, timeout: float | None) -> None:
        self.index = index
        self.started = time.monotonic()
        self.deadline = self.started + timeout if timeout else float("inf")
        self.connection.send(task)

    def stop(self, kill: bool = False) -> None:
        if kill:
            if self.process.is_alive():
                os.kill(self.process.pid, signal.SIGKILL)
        else:
            with contextlib.suppress(OSError):
                self.connection.send(None)
        self.process.join(timeout=None if kill else 5)
        if self.process.is_alive():  # did not hang up in time: it is no longer ours to wait for
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.join()
        self.connection.close()


def _death(code: int | None) -> str:
    """How a worker ended, from its exit code as multiprocessing gives it (-N: killed by signal N)."""
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def run(
    function: Callable[[Any], Any],
    tasks: Iterable[Any],
    workers: int,
    timeout: float | None,
) -> Iterator[Outcome]:
    """Apply `function` to each task in worker processes; outcomes in the order they finish.

    `function` must be picklable where workers are spawned. At most one task per
    worker is in flight, so the tasks may be a lazy iterator of any length. When
    the caller stops iterating (or an exception such as KeyboardInterrupt arrives),
    every worker is killed at once.
    """
    from multiprocessing.connection import wait

    context = _context()
    pending = enumerate(tasks)
    pool = [_Worker(context, function) for _ in range(max(1, workers))]
    try:
        exhausted = False
        while True:
            for worker in pool:
                if worker.index is None and not exhausted:
                    item = next(pending, None)
                    if item is None:
                        exhausted = True
                    else:
                        worker.give(item[0], item[1], timeout)
            busy = [w for w in pool if w.index is not None]
            if not busy:
                return
            wait_for = min(w.deadline for w in busy) - time.monotonic()
            handles = [w.connection for w in busy] + [w.process.sentinel for w in busy]
            ready = set(wait(handles, timeout=None if wait_for == float("inf") else max(0.0, wait_for)))
            now = time.monotonic()
            for slot, worker in enumerate(pool):
                if worker.index is None:
                    continue
                outcome = None
                replace = False
                ran = now - worker.started
                if worker.connection in ready:
                    try:
                        outcome = Outcome(worker.index, worker.connection.recv(), seconds=ran)
                        worker.tasks_done += 1
                        replace = worker.tasks_done >= TASKS_PER_WORKER
                    except (EOFError, OSError):
                        pass  # died while sending: seen through its sentinel below
                if outcome is None and (worker.process.sentinel in ready or worker.connection in ready):
                    worker.process.join()
                    death = _death(worker.process.exitcode)
                    outcome = Outcome(worker.index, failure=CRASHED, detail=death, seconds=ran)
                    replace = True
                elif outcome is None and now >= worker.deadline:
                    outcome = Outcome(worker.index, failure=TIMEOUT, seconds=ran)
                    worker.stop(kill=True)
                    pool[slot] = _Worker(context, function)
                    yield outcome
                    continue
                if outcome is None:
                    continue
                worker.index, worker.deadline = None, float("inf")
                if replace:
                    worker.stop(kill=outcome.failure is not None)
                    pool[slot] = _Worker(context, function)
                yield outcome
    finally:
        for worker in pool:
            worker.stop(kill=True)


def call_with_limit(function: Callable[[Any], Any], task: Any, timeout: float | None) -> Outcome:
    """`function(task)` in a forked child that is killed when `timeout` seconds are up.

    One task needs no pool: a batch of one file, and hosts that run tasks in threads of
    their own (a Dask worker), where no worker process of `run` is ours to kill. The child
    is a worker as `run`'s are (it ends with its parent, leaves Ctrl-C to it), and its
    outcome reads the same. Without fork, or without a limit, the call runs here.
    """
    started = time.monotonic()
    if not timeout or not hasattr(os, "fork"):
        return Outcome(0, function(task), seconds=time.monotonic() - started)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            _become_worker()
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(function(task)))
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = None
    try:
        chunks = _read_until(read_end, time.monotonic() + timeout)
    finally:
        if chunks is None:  # the time is up, or an interruption (Ctrl-C) came: the child goes
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    if chunks is None:
        return Outcome(0, failure=TIMEOUT, seconds=time.monotonic() - started)
    _, status = os.waitpid(pid, 0)
    ran = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)  # -N when killed by signal N, as multiprocessing says
    if code != 0 or not chunks:
        return Outcome(0, failure=CRASHED, detail=_death(code), seconds=ran)
    return Outcome(0, pickle.loads(b"".join(chunks)), seconds=ran)


def _read_until(descriptor: int, deadline: float) -> list[bytes] | None:
    """Everything written to the pipe `descriptor` until its writer closes it; None at the deadline."""
    chunks: list[bytes] = []
    with os.fdopen(descriptor, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                return None
            chunk = pipe.read(1 << 20)
            if not chunk:
                return chunks
            chunks.append(chunk)
