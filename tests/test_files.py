"""files.py: atomic writes and the litter a killed run leaves, in a real folder."""

import os
import subprocess
import sys

import pytest

from newsvault.files import (
    SCRATCH, remove_leftovers, scratch_folder, scratch_space, temporary_path, write_atomic,
)


@pytest.fixture(scope="module")
def ended_pid() -> int:
    """The PID of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_write_atomic_through_a_scratch_folder_made_on_first_use(tmp_path):
    scratch = scratch_folder(tmp_path)
    write_atomic(tmp_path / "a.md", b"one", scratch)
    write_atomic(tmp_path / "a.md", b"two", scratch)
    assert (tmp_path / "a.md").read_bytes() == b"two"
    assert os.listdir(scratch) == []  # renamed away, nothing left


def test_leftovers_of_ended_processes_go_and_others_stay(tmp_path, ended_pid):
    names = {
        "ended": f".newsvault-{ended_pid}-7.tmp",
        "running": f".newsvault-{os.getpid()}-8.tmp",
        "a post": "2022-01-27-标题.md",
        "someone else's": f".other-{ended_pid}-1.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"x")
    assert remove_leftovers(str(tmp_path)) == 1
    assert sorted(os.listdir(tmp_path)) == sorted(set(names.values()) - {names["ended"]})


def test_scratch_space_cleans_before_and_goes_after(tmp_path, ended_pid):
    scratch = scratch_folder(tmp_path)
    os.mkdir(scratch)
    (tmp_path / SCRATCH / f".newsvault-{ended_pid}-0.tmp").write_bytes(b"half a post")
    with scratch_space(scratch):
        assert os.listdir(scratch) == []
        write_atomic(tmp_path / "b.md", b"post", scratch)
    assert sorted(os.listdir(tmp_path)) == ["b.md"]


def test_scratch_space_keeps_a_folder_another_process_writes_in(tmp_path):
    scratch = scratch_folder(tmp_path)
    with scratch_space(scratch):
        in_use = temporary_path(scratch)  # this process's: still being written
        open(in_use, "wb").close()
    assert os.listdir(scratch) == [os.path.basename(in_use)]
