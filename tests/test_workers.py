"""Worker processes leave when the process that started them is killed."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = '''
import os, sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from newsvault.site import builder
from newsvault.site.render import SiteOptions
from newsvault.store import open_store
from newsvault.workers import store_workers


def worker_pid(store, n):
    return os.getpid()


if __name__ == "__main__":
    db, out = Path(sys.argv[1]), sys.argv[2]
    store = open_store(db)
    options = SiteOptions("t", "zh", "", "UTC", None)
    with store_workers(store, 2) as run, ProcessPoolExecutor(
            2, mp_context=get_context("spawn"), initializer=builder._start_worker,
            initargs=(str(db), options, out, os.getpid())) as pool:
        list(run(worker_pid, [(n,) for n in range(4)]))
        [future.result() for future in [pool.submit(os.getpid) for _ in range(4)]]
        print("ready", flush=True)
        sys.stdin.read()  # until killed
'''


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for a reaper that may not come)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    from newsvault.store import open_store

    open_store(tmp_path / "newsvault.db").close()
    script = tmp_path / "pool.py"
    script.write_text(SCRIPT)
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path / "newsvault.db"),
                               str(tmp_path / "site")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        assert parent.stdout.readline().strip() == "ready"
        workers = children_of(parent.pid)
        assert len(workers) >= 4
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 20
        while any(map(running, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if running(pid)]
    finally:
        parent.kill()
        parent.wait(timeout=10)
        for pid in workers:  # left behind by a failure: this test started them
            if running(pid):
                os.kill(pid, signal.SIGKILL)
