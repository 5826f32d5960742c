"""`newsvault run --every`, as a process that keeps running: each tick reads newsvault.toml
again, says when the next one comes, and Ctrl-C ends it."""

import signal
import subprocess
import sys
import time

import pytest

from support.cli import cli_env

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
pytestmark = pytest.mark.timeout(90)


def feed(title: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}'
            f"</title><item><title>{title}的文章</title><link>https://every.example/{title}</link>"
            f"</item></channel></rss>").encode("utf-8")


def ctrl_c_stops() -> None:
    """In the child: SIGINT as a terminal gives it, even when this test runs where it is
    ignored (a shell's background job, nohup), which the child would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


def test_each_tick_fetches_the_sources_added_meanwhile(archive, feed_server, tmp_path):
    feed_server.route("/first.xml", body=feed("第一"), headers=RSS)
    feed_server.route("/second.xml", body=feed("第二"), headers=RSS)
    archive.add_source("第一", feed_server.url("/first.xml"))
    log = (tmp_path / "every.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "newsvault", "--archive", str(archive.root), "run", "--every",
         "2s", "--no-images"], stdout=log, stderr=subprocess.STDOUT, env=cli_env(),
        preexec_fn=ctrl_c_stops)
    try:
        wait_for(lambda: feed_server.count("/first.xml") == 1)
        archive.add_source("第二", feed_server.url("/second.xml"))  # while it waits
        wait_for(lambda: feed_server.count("/second.xml") == 1)
        wait_for(lambda: "第二" in archive.root.joinpath("newsvault.toml").read_text()
                 and (tmp_path / "every.log").read_text(encoding="utf-8").count("next run at") >= 2)
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    output = (tmp_path / "every.log").read_text(encoding="utf-8")
    assert code == 130
    assert "Ctrl-C stops" in output and "Traceback" not in output
    assert "interrupted: what was stored before is kept" in output
    assert feed_server.count("/first.xml") >= 2  # the first source on every tick


def test_a_tick_that_fails_is_told_and_the_schedule_goes_on(archive, feed_server, tmp_path):
    feed_server.route("/first.xml", body=feed("第一"), headers=RSS)
    archive.add_source("第一", feed_server.url("/first.xml"))
    config = archive.root / "newsvault.toml"
    good = config.read_text(encoding="utf-8")
    log_path = tmp_path / "every.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "newsvault", "--archive", str(archive.root), "run", "--every",
         "1s", "--no-images"], stdout=log_path.open("w"), stderr=subprocess.STDOUT,
        env=cli_env(), preexec_fn=ctrl_c_stops)
    try:
        wait_for(lambda: feed_server.count("/first.xml") == 1)
        config.write_text(good + "\n[[sources]]\nname = \n", encoding="utf-8")  # mid-edit
        wait_for(lambda: "this run stopped" in log_path.read_text(encoding="utf-8"))
        fetched = feed_server.count("/first.xml")
        config.write_text(good, encoding="utf-8")
        wait_for(lambda: feed_server.count("/first.xml") > fetched)
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    output = log_path.read_text(encoding="utf-8")
    assert code == 130
    assert "newsvault.toml: not valid TOML" in output and "the next one tries again" in output
