"""Ctrl-C in a terminal reaches every process of its group, the workers too: the command
says "interrupted" once, with no traceback from each worker, and the next run goes on."""

import os
import signal
import subprocess
import sys

import pytest
from support.cli import NO_SITE, ArchiveDir, cli_env
from support.posts import write_numbered_posts

pytestmark = pytest.mark.timeout(180)


def test_ctrl_c_while_workers_clean_says_interrupted_once_without_tracebacks(tmp_path):
    posts = tmp_path / "old" / "_posts"
    posts.mkdir(parents=True)
    body = "<p onclick='x()'>" + "正文，" * 8000 + "</p>"  # long enough to clean a while
    write_numbered_posts(posts, 1600, body)
    news = ArchiveDir.create(tmp_path / "news", build=NO_SITE)
    news.cli("import", "jekyll", str(posts), check=0)

    def own_group():  # as a terminal's foreground job: the signal goes to the whole group
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setsid()

    run = subprocess.Popen([sys.executable, "-m", "newsvault", "--archive", str(news.root),
                            "export", "jekyll"], env=cli_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, preexec_fn=own_group)
    seen = []
    try:
        for line in run.stderr:  # off a terminal, progress comes as plain lines
            seen.append(line)
            if line.startswith("cleaning: "):  # the workers are at it
                os.killpg(run.pid, signal.SIGINT)
                break
        rest = run.communicate(timeout=120)
    finally:  # a run that hangs is not left behind
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    said = "".join(seen) + rest[0] + rest[1]
    assert run.returncode == 130, said
    assert "Traceback" not in said and "KeyboardInterrupt" not in said, said
    assert said.count("interrupted: ") == 1
    again = news.cli("export", "jekyll", check=0)
    assert "1600 already up to date" in again.stdout or "posts written" in again.stdout
    assert len(list((news.root / "_posts").iterdir())) == 1600
