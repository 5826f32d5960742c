"""Writing small post files for the import tests."""

from pathlib import Path


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# A post in the old system's seed layout, numbered: format(n=, day=, body=).
NUMBERED_POST = """---
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


def write_numbered_posts(folder: Path, count: int, body: str) -> None:
    """``count`` posts into ``folder``, one a day of January 2022 in turn; ``body`` may
    hold ``{n}``."""
    for n in range(count):
        day = n % 28 + 1
        write(folder, f"2022-01-{day:02d}-{n}.md",
              NUMBERED_POST.format(n=n, day=day, body=body.replace("{n}", str(n))))
