"""The archive's writers as the event loop sees them: they parse fetched feeds and store
them, several sources to a commit. With enough sources they run as processes (one per
core), so that the event loop keeps its time for HTTP and feed items never cross a process
boundary (only the raw bodies do); otherwise as one thread. Both run the same loop,
``writer.serve``, which this process imports only to run it as a thread.
"""

import asyncio
import fcntl
import multiprocessing
import os
import queue
import threading
from pathlib import Path

from newsvault.model import FetchOutcome
from newsvault.pipeline.handover import BATCH_LIMIT, POLL_SECONDS, STOP, Fetched, run_writer

__all__ = ["Archiver", "BATCH_LIMIT", "Fetched"]


class Archiver:
    """``await archiver.archive(fetched)`` from the event loop. ``processes`` writers share
    the work (0: one thread in this process instead); each batches what arrives while it is
    busy, and SQLite's write lock takes their commits in turn.

    Use as ``async with Archiver(db_path, processes)``.
    """

    def __init__(self, db_path: Path, processes: int):
        self._db_path, self._processes = Path(db_path), processes
        self._pending: dict[int, asyncio.Future] = {}
        self._next_id = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list = []
        self._inbox = self._outbox = None
        self._reader: threading.Thread | None = None
        self._write_lock = None
        self._stopped: str | None = None  # why the writers stopped before their time

    async def __aenter__(self) -> "Archiver":
        self._loop = asyncio.get_running_loop()
        if self._processes:
            context = multiprocessing.get_context("spawn")  # no forking of a threaded process
            self._inbox, self._outbox = context.Queue(), context.Queue()
            _widen_pipe(self._inbox)
            # kept referenced: a lock collected before a child opened it is gone for the child
            self._write_lock = write_lock = context.Lock()
            self._workers = [
                context.Process(target=run_writer, name=f"newsvault-writer-{number}", daemon=True,
                                args=(self._db_path, self._inbox, self._outbox, os.getpid(),
                                      write_lock))
                for number in range(self._processes)
            ]
        else:
            self._inbox, self._outbox = queue.Queue(), queue.Queue()
            self._workers = [threading.Thread(target=run_writer, name="newsvault-writer", daemon=True,
                                              args=(self._db_path, self._inbox, self._outbox))]
        for worker in self._workers:
            worker.start()
        self._reader = threading.Thread(target=self._read_outcomes, name="newsvault-outcomes",
                                        daemon=True)
        self._reader.start()
        return self

    async def archive(self, item: Fetched) -> FetchOutcome:
        if self._stopped:
            raise RuntimeError(self._stopped)
        job_id, self._next_id = self._next_id, self._next_id + 1
        future = self._loop.create_future()
        self._pending[job_id] = future
        self._inbox.put((job_id, item))
        return await future

    async def __aexit__(self, *exc_info) -> None:
        if self._stopped:  # the jobs of the writers still alive were failed too: end them
            for worker in self._workers:
                if self._processes and worker.is_alive():
                    worker.terminate()
                await asyncio.to_thread(worker.join)
            return
        for _ in self._workers:
            self._inbox.put(STOP)
        for worker in self._workers:
            await asyncio.to_thread(worker.join)
        await asyncio.to_thread(self._reader.join)

    def _read_outcomes(self) -> None:
        """Until every writer has said it stopped, or one died without saying so."""
        running = len(self._workers)
        while running:
            try:
                done = self._outbox.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if self._stopped_silently():
                    break
                continue
            if done is STOP:
                running -= 1
            else:
                self._loop.call_soon_threadsafe(self._resolve, done)
        self._loop.call_soon_threadsafe(self._fail_pending)

    def _stopped_silently(self) -> bool:
        return any(not worker.is_alive() for worker in self._workers) and self._outbox.empty()

    def _resolve(self, done: list[tuple[int, FetchOutcome]]) -> None:
        for job_id, outcome in done:
            future = self._pending.pop(job_id, None)
            if future is not None and not future.done():
                future.set_result(outcome)

    def _fail_pending(self) -> None:
        """A writer that died took its jobs with it; no one can tell which: fail them all."""
        codes = [str(code) for code in (getattr(worker, "exitcode", None)
                                        for worker in self._workers) if code]
        reason = "the archive writer stopped" + (f" (exit code {', '.join(codes)})"
                                                 if codes else "")
        if any(not worker.is_alive() for worker in self._workers):
            self._stopped = reason
            if self._processes:  # what waits in the pipe has no reader: do not wait to send it
                self._inbox.cancel_join_thread()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RuntimeError(reason))
        self._pending.clear()


_PIPE_BYTES = 1 << 20  # Linux's default limit for a process that is not privileged


def _widen_pipe(inbox) -> None:
    """Let a feed's body go through the inbox's pipe in a write or two: at the default 64 KB,
    each 400 KB body woke the sending thread and the writer a dozen times. Linux only;
    elsewhere, or when refused, the pipe keeps its size."""
    try:
        fcntl.fcntl(inbox._writer.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (AttributeError, OSError):
        pass
