"""Ctrl-C in a terminal reaches every process of its group, the workers too: the command
says "interrupted" once, with no traceback from each worker, and the next run goes on."""

import os
import signal
import subprocess
import sys

import pytest
from support.cli import NO_SITE, ArchiveDir, cli_env

pytestmark = pytest.mark.timeout(180)

POST = """---
layout: post
title: "第 {n} 篇"
date: 2022-01-{day:02d}T09:36:52.404Z
author: 样例
from: https://news.example/{n}.html
tags: [ 样例 ]
categories: [ 样例 ]
---
<!--1643275012404-->
[第 {n} 篇](https://news.example/{n}.html)
------

<div>
{body}
</div>
"""


def test_ctrl_c_while_workers_clean_says_interrupted_once_without_tracebacks(tmp_path):
    posts = tmp_path / "old" / "_posts"
    posts.mkdir(parents=True)
    body = "<p onclick='x()'>" + "正文，" * 8000 + "</p>"  # long enough to clean a while
    for n in range(1600):
        (posts / f"2022-01-{n % 28 + 1:02d}-{n}.md").write_text(
            POST.format(n=n, day=n % 28 + 1, body=body), encoding="utf-8")
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
