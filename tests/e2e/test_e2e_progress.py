"""The first `run` after importing an archive cleans every article for the export and
the site: off a terminal, it says so in a few plain lines, as `fetch` does for sources."""

from support.cli import ArchiveDir

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
<p class="lead" onclick="x()">正文 {n}</p>
</div>
"""


def test_the_first_run_after_an_import_shows_the_cleaning(tmp_path):
    posts = tmp_path / "old" / "_posts"
    posts.mkdir(parents=True)
    for n in range(1200):
        (posts / f"2022-01-{n % 28 + 1:02d}-{n}.md").write_text(
            POST.format(n=n, day=n % 28 + 1), encoding="utf-8")
    news = ArchiveDir.create(tmp_path / "news", build={"enabled": False})
    news.cli("import", "jekyll", str(posts), check=0)
    first = news.cli("run", check=0)
    lines = [line for line in first.stderr.splitlines() if line.startswith("cleaning: ")]
    assert lines[-1] == "cleaning: 1200/1200 articles" and 2 <= len(lines) <= 12
    assert "jekyll: 1200 posts written" in first.stdout
    again = news.cli("run", check=0)  # nothing new: nothing to clean, nothing said
    assert "cleaning" not in again.stderr and "jekyll: 0 posts written" in again.stdout
