"""SIGTERM (``kill``, systemd stopping a unit, a CI runner's timeout) stops a command as
Ctrl-C does, by the same clean path: writers and worker pools shut down, what was
committed is kept, multiprocessing's semaphores are released. ``cli.main`` then tells it
apart from Ctrl-C by ``terminated()``.
"""

import signal

EXIT_TERMINATED = 128 + signal.SIGTERM  # the shells' status for a process SIGTERM ended

_received = False
_stoppable = []  # the task of the running ``run_async``, if any


def stop_on_sigterm() -> None:
    """In the main process only: spawned workers start with SIGTERM's default."""
    signal.signal(signal.SIGTERM, _as_ctrl_c)


def terminated() -> bool:
    """Whether SIGTERM came (rather than Ctrl-C)."""
    return _received


def run_async(main):
    """``asyncio.run(main)``, which SIGTERM stops as ``asyncio.run`` stops for Ctrl-C: by
    cancelling ``main``, whose cleanups run (the writer processes stop), then raising
    KeyboardInterrupt. Done here, not by asyncio's Ctrl-C handler: a script's background
    job ignores Ctrl-C, and asyncio then installs none."""
    import asyncio

    async def stoppable():
        _stoppable.append(asyncio.current_task())
        try:
            return await main
        finally:
            _stoppable.pop()

    try:
        result = asyncio.run(stoppable())
    except asyncio.CancelledError:
        if not _received:
            raise
    if _received:
        raise KeyboardInterrupt
    return result


def _as_ctrl_c(signum, frame) -> None:
    global _received
    first, _received = not _received, True
    if first and _stoppable:
        # raised inside the event loop, KeyboardInterrupt would leave tasks failing with
        # tracebacks; a second SIGTERM does raise, as a second Ctrl-C does
        task = _stoppable[-1]
        task.cancel()
        task.get_loop().call_soon_threadsafe(lambda: None)  # wakes the loop from select
        return
    raise KeyboardInterrupt
