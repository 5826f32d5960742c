"""What long commands show while they work: a bar per step on a terminal, a few plain
lines otherwise."""

import os
import sys

import pytest

from newsvault.report import StepProgress


def test_off_a_terminal_each_long_step_is_a_few_plain_lines(capsys):
    with StepProgress() as progress:
        cleaning = progress.step("cleaning", "articles")
        building = progress.step("building", "pages")
        for done in range(200, 5001, 200):
            cleaning(done, 5000)
        for done in range(1, 2001):
            building(done, 2000)
    lines = capsys.readouterr().err.splitlines()
    cleaning_lines = [line for line in lines if line.startswith("cleaning: ")]
    building_lines = [line for line in lines if line.startswith("building: ")]
    assert cleaning_lines[0] == "cleaning: 200/5000 articles"
    assert cleaning_lines[-1] == "cleaning: 5000/5000 articles"
    assert building_lines[0] == "building: 1/2000 pages"
    assert building_lines[-1] == "building: 2000/2000 pages"
    assert len(cleaning_lines) <= 12 and len(building_lines) <= 12
    assert lines == cleaning_lines + building_lines


def test_a_short_step_says_nothing_while_it_works(capsys):
    with StepProgress() as progress:
        progress.step("building", "pages")(10, 10)
    assert capsys.readouterr().err == ""  # the command says what it did, at its end


def shown_on_a_terminal(code: str) -> bytes:
    """What ``code`` writes to a pseudo-terminal (its stdout and stderr)."""
    import pty

    pid, terminal = pty.fork()
    if pid == 0:  # the child: stdout and stderr are the terminal
        os.execv(sys.executable, [sys.executable, "-c", code])
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the child has exited
            break
        if not chunk:
            break
        shown += chunk
    os.waitpid(pid, 0)
    return shown


needs_a_terminal = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a pseudo-terminal")


@needs_a_terminal
def test_on_a_terminal_each_step_is_a_bar():
    shown = shown_on_a_terminal(
        "from newsvault.report import StepProgress\n"
        "with StepProgress() as progress:\n"
        "    cleaning = progress.step('cleaning', 'articles')\n"
        "    building = progress.step('building', 'pages')\n"
        "    for done in range(3001):\n"
        "        cleaning(done, 3000)\n"
        "    for done in range(2001):\n"
        "        building(done, 2000)\n")
    assert b"3000/3000" in shown and b"2000/2000" in shown and "━".encode() in shown
    assert b"cleaning" in shown and b"building" in shown
    assert b"building: " not in shown and b"cleaning: " not in shown  # not the plain lines


@needs_a_terminal
def test_on_a_terminal_a_run_shows_its_sources_then_its_later_steps():
    shown = shown_on_a_terminal(
        "from newsvault.model import FetchOutcome\n"
        "from newsvault.report import FetchProgress\n"
        "with FetchProgress(2) as progress:\n"
        "    progress.advance(FetchOutcome(source='联合早报', status='ok'))\n"
        "    progress.advance(FetchOutcome(source='BBC 中文', status='ok'))\n"
        "    progress.step('cleaning', 'articles')(1500, 1500)\n")
    assert b"fetching" in shown and b"2/2" in shown and "BBC 中文".encode() in shown
    assert b"cleaning" in shown and b"1500/1500" in shown
    assert b"[1/2]" not in shown  # not the plain lines


def test_counts_are_said_in_english():
    from newsvault.report import counted

    assert [counted(n, "source") for n in (0, 1, 2)] == ["0 sources", "1 source", "2 sources"]
    assert (counted(1, "fetch"), counted(6, "fetch")) == ("1 fetch", "6 fetches")


def test_the_next_run_is_said_in_local_time_and_as_a_wait():
    from newsvault.report import in_local_time

    assert in_local_time(3599).endswith("(in 59m 59s)") and in_local_time(3600).endswith("(in 1h 00m)")
    assert in_local_time(42).startswith("at 2") and in_local_time(42).endswith("(in 42s)")
