"""The commands as a user runs them: a real process, a real archive folder."""

import json
import select
import subprocess
import sys
import tomllib

import pytest
import yaml
from support.cli import newsvault

from newsvault.archive import run_lock
from newsvault.scaffold import installed_package


@pytest.fixture
def archive(tmp_path):
    newsvault("init", "news", "--empty", cwd=tmp_path, check=0)
    return tmp_path / "news"


def test_init_writes_a_config_with_real_outlets_and_a_gitignore(tmp_path):
    result = newsvault("init", "news", cwd=tmp_path, check=0)
    config = tomllib.loads((tmp_path / "news/newsvault.toml").read_text(encoding="utf-8"))
    names = [source["name"] for source in config["sources"]]
    assert "联合早报" in names and len(names) >= 5
    zaobao = config["sources"][names.index("联合早报")]
    assert "#dfp-ad-imu1" in zaobao["remove_selectors"]  # its ad slots, when a page is fetched
    assert config["site"]["timezone"] == "Asia/Shanghai"
    ignored = (tmp_path / "news/.gitignore").read_text().splitlines()
    assert {"newsvault.db", ".newsvault-tmp/", ".newsvault-*.tmp"} <= set(ignored)
    assert "newsvault run" in result.stdout
    listed = json.loads(newsvault("sources", "--json", cwd=tmp_path / "news", check=0).stdout)
    assert [source["name"] for source in listed] == names


def test_init_says_the_next_command_ready_to_paste(tmp_path):
    result = newsvault("init", "新闻 档案", "--empty", cwd=tmp_path, check=0)
    assert "next: cd '新闻 档案' && newsvault run" in result.stdout


def test_init_in_an_existing_site_adds_what_its_gitignore_lacks(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / ".gitignore").write_text("node_modules\nnewsvault.db", encoding="utf-8")
    newsvault("init", "site", "--empty", cwd=tmp_path, check=0)
    lines = (site / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["node_modules", "newsvault.db"]  # the site's own lines first, kept
    assert lines.count("newsvault.db") == 1 and {".newsvault.lock", ".newsvault-tmp/"} <= set(lines)
    complete = tmp_path / "complete"  # one that lacks nothing is left as it is
    complete.mkdir()
    (complete / ".gitignore").write_text((site / ".gitignore").read_text(encoding="utf-8"))
    result = newsvault("init", "complete", "--empty", cwd=tmp_path, check=0)
    assert (complete / ".gitignore").read_text() == (site / ".gitignore").read_text()
    assert ".gitignore" not in result.stdout


def test_init_refuses_to_overwrite_an_archive(archive):
    result = newsvault("init", str(archive), cwd=archive.parent, check=2)
    assert "exists already" in result.stderr


def test_init_github_actions_writes_an_hourly_workflow(tmp_path):
    result = newsvault("init", "news", "--empty", "--github-actions", cwd=tmp_path, check=0)
    text = (tmp_path / "news/.github/workflows/newsvault.yml").read_text()
    for needed in ("cron:", "newsvault run", 'import jekyll "$POSTS"', 'POSTS: "_posts"',
                   "git push"):
        assert needed in text
    # what the runner installs is this very newsvault, or the user is told to say where from
    package = yaml.safe_load(text)["env"]["NEWSVAULT_PACKAGE"]
    assert package == (installed_package() or "")
    if package:
        assert f"the workflow installs newsvault from {package}" in result.stdout
    else:
        assert "set NEWSVAULT_PACKAGE in news/.github/workflows/newsvault.yml" in result.stderr


def test_init_github_actions_in_a_subfolder_of_a_repository_says_github_will_not_run_it(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "site")], check=True)
    result = newsvault("init", "news", "--empty", "--github-actions", cwd=tmp_path / "site",
                       check=0)
    assert (f"news is a folder inside the git repository {tmp_path / 'site'}; GitHub runs only"
            f" the workflows in {tmp_path / 'site/.github/workflows'}") in result.stderr
    assert "git init news" in result.stderr
    # an archive that is a repository of its own, or the repository's root, is where it should be
    subprocess.run(["git", "init", "-q", str(tmp_path / "site/own")], check=True)
    for folder in ("own", "."):
        result = newsvault("init", folder, "--empty", "--github-actions", cwd=tmp_path / "site",
                           check=0)
        assert "inside the git repository" not in result.stderr


def test_commands_work_from_another_folder_with_archive_option(archive, tmp_path):
    newsvault("--archive", str(archive), "add", "http://127.0.0.1:9/feed", "--name", "甲",
              "--tag", "博客", "--no-check", cwd=tmp_path, check=0)
    listed = json.loads(newsvault("--archive", str(archive), "sources", "--json",
                                  cwd=tmp_path, check=0).stdout)
    assert listed == [{"name": "甲", "url": "http://127.0.0.1:9/feed", "tags": ["博客"],
                       "moved_to": None}]


def test_add_keeps_the_users_comments_and_refuses_a_taken_name(archive):
    config = archive / "newsvault.toml"
    config.write_text(config.read_text() + "\n# my own note\n", encoding="utf-8")
    newsvault("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check", cwd=archive, check=0)
    result = newsvault("add", "http://127.0.0.1:9/b", "--name", "甲", "--no-check", cwd=archive)
    assert result.returncode == 2 and "exists already" in result.stderr
    assert "# my own note" in config.read_text()


@pytest.mark.parametrize("option, value, problem", [
    ("--name", "a\x7fb", "contains a control character (U+007F)"),
    ("--name", "两\n行", "contains a line break (U+000A)"),
    ("--name", "  ", "is empty"),
    ("--tag", "a\x01", "contains a control character (U+0001)"),
])
def test_add_refuses_a_typed_name_or_tag_that_would_break_newsvault_toml(archive, option, value,
                                                                         problem):
    config = (archive / "newsvault.toml").read_bytes()
    arguments = ["--name", "甲", "--tag", value] if option == "--tag" else [option, value]
    result = newsvault("add", "http://127.0.0.1:9/a", *arguments, "--no-check", cwd=archive,
                       check=2)
    assert f"error: {option} {value.strip()!r} {problem}; give a {option[2:]} of printable" \
        in result.stderr
    assert (archive / "newsvault.toml").read_bytes() == config
    newsvault("sources", cwd=archive, check=0)


@pytest.mark.parametrize("url, problem", [
    ("http://127.0.0.1:9/feed2.xml ", "has white space around it; remove it"),
    ("127.0.0.1:9/feed.xml", "is not a whole URL; write it with http:// or https://"),
    ("/feed.xml", "is not a whole URL"),
    ("ftp://127.0.0.1/feed.xml", "uses ftp:, and newsvault fetches feeds over http:// and https://"),
    ("javascript:alert(1)", "uses javascript:"),
])
@pytest.mark.parametrize("check", [(), ("--no-check",)])
def test_add_refuses_a_url_it_could_not_fetch_a_feed_from(archive, url, problem, check):
    config = (archive / "newsvault.toml").read_bytes()
    result = newsvault("add", url, "--name", "甲", *check, cwd=archive, check=2)
    assert result.stderr.startswith(f"error: the URL {url!r} {problem}")
    assert (archive / "newsvault.toml").read_bytes() == config


def test_add_takes_a_feed_url_for_http_and_tidies_the_tags(archive):
    added = newsvault("add", "feed://127.0.0.1:9/rss", "--name", "甲", "--tag", " 博客 ",
                      "--tag", "博客", "--tag", "", "--tag", "甲", "--tag", "技术", "--no-check",
                      cwd=archive, check=0)
    assert "added 甲 <http://127.0.0.1:9/rss>" in added.stdout
    listed = json.loads(newsvault("sources", "--json", cwd=archive, check=0).stdout)
    assert listed == [{"name": "甲", "url": "http://127.0.0.1:9/rss", "tags": ["博客", "技术"],
                       "moved_to": None}]


def test_one_feed_listed_twice_in_the_config_is_a_warning_naming_both_sources(archive):
    config = archive / "newsvault.toml"
    config.write_text(config.read_text(encoding="utf-8") + "".join(
        f'\n[[sources]]\nname = "{name}"\nurl = "{url}"\n' for name, url in (
            ("甲", "http://127.0.0.1:9/feed.xml"), ("乙", "http://127.0.0.1:9/other.xml"),
            ("丙", "HTTPS://127.0.0.1:9/feed.xml#top"))), encoding="utf-8")
    warning = (f"warning: {config}: the sources '甲' and '丙' are one feed "
               "(http://127.0.0.1:9/feed.xml and HTTPS://127.0.0.1:9/feed.xml#top): it is "
               "fetched twice, and its articles are archived under only one of them; "
               "remove one of the two\n")
    listed = newsvault("sources", "--json", cwd=archive, check=0)
    assert listed.stderr == warning
    assert [row["name"] for row in json.loads(listed.stdout)] == ["甲", "乙", "丙"]
    assert newsvault("status", "--json", cwd=archive, check=0).stderr == warning
    config.write_text(config.read_text(encoding="utf-8").replace("retries = 2 ", "retries = 0 "),
                      encoding="utf-8")  # nothing listens on port 9: no time lost retrying
    assert warning in newsvault("run", "--no-images", cwd=archive, check=0).stderr
    config.write_text(config.read_text(encoding="utf-8").replace("HTTPS", "HTTP")
                      .replace("feed.xml#top", "third.xml"), encoding="utf-8")
    assert newsvault("sources", cwd=archive, check=0).stderr == ""


def test_a_source_url_with_a_space_in_the_config_exits_2_naming_the_source(archive):
    config = archive / "newsvault.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[[sources]]\nname = "甲"\n'
                      'url = "http://127.0.0.1:9/feed2.xml "\n', encoding="utf-8")
    result = newsvault("fetch", cwd=archive, check=2)
    assert result.stderr == (f"error: {config}: the source '甲': `sources #1.url` "
                             "'http://127.0.0.1:9/feed2.xml ' has white space around it; "
                             "remove it\n")


def test_init_refuses_a_title_with_a_control_character(tmp_path):
    result = newsvault("init", "news", "--title", "News\x7f", cwd=tmp_path, check=2)
    assert "--title 'News\\x7f' contains a control character (U+007F)" in result.stderr
    assert not (tmp_path / "news").exists()


def test_sources_written_as_an_inline_array_are_read_but_not_appended_to(archive, tmp_path):
    config = archive / "newsvault.toml"
    config.write_text('sources = [ { name = "甲", url = "http://127.0.0.1:9/a" } ]\n'
                      + config.read_text(encoding="utf-8"), encoding="utf-8")
    before = config.read_bytes()
    listed = json.loads(newsvault("sources", "--json", cwd=archive, check=0).stdout)
    assert [source["name"] for source in listed] == ["甲"]
    opml = tmp_path / "feeds.opml"
    opml.write_text('<opml><body><outline text="乙" xmlUrl="http://127.0.0.1:9/b"/></body></opml>')
    for command in (("add", "http://127.0.0.1:9/b", "--name", "乙", "--no-check"),
                    ("opml", "import", str(opml))):
        result = newsvault(*command, cwd=archive, check=2)
        assert "`sources` is written as an inline array" in result.stderr
        assert "write each source as a [[sources]] block" in result.stderr
        assert "Traceback" not in result.stderr
    assert config.read_bytes() == before


def test_add_refuses_a_feed_that_is_fetched_already(archive):
    newsvault("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check", cwd=archive, check=0)
    result = newsvault("add", "http://127.0.0.1:9/a", "--name", "乙", "--no-check", cwd=archive,
                       check=2)
    assert "http://127.0.0.1:9/a is fetched already, as the source '甲'" in result.stderr
    # under the same name too: the URL is what another --name would not change
    same = newsvault("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check", cwd=archive,
                     check=2)
    assert "is fetched already, as the source '甲'" in same.stderr and "--name" not in same.stderr
    for variant in ("HTTP://127.0.0.1:9/a#top", "http://127.0.0.1:9/a?utm_source=x",
                    "https://127.0.0.1:9/a"):
        again = newsvault("add", variant, "--name", "丙", "--no-check", cwd=archive, check=2)
        assert "is fetched already, as the source '甲'" in again.stderr
    opml = archive / "feeds.opml"
    opml.write_text('<opml version="2.0"><body><outline text="丁" xmlUrl="HTTP://127.0.0.1:9/a#x"/>'
                    "</body></opml>", encoding="utf-8")
    assert "added 0 sources" in newsvault("opml", "import", str(opml), cwd=archive, check=0).stdout
    listed = json.loads(newsvault("sources", "--json", cwd=archive, check=0).stdout)
    assert [source["name"] for source in listed] == ["甲"]


def test_a_failed_export_comes_after_the_fetch_table_and_says_what_is_wrong(archive):
    """The fetch is stored when the export fails: a cron log must still show what it did."""
    newsvault("add", "http://127.0.0.1:9/feed", "--name", "甲", "--no-check", cwd=archive,
              check=0)
    (archive / "_posts").write_text("not a folder", encoding="utf-8")
    result = newsvault("run", "--no-images", cwd=archive)
    assert result.returncode == 1
    assert "甲" in result.stdout and "1 failed" in result.stdout  # the table, then the error
    assert "_posts: a file is there where a folder is needed" in result.stderr


def test_names_are_printed_as_they_are_brackets_included(archive):
    """Titles and names like "[视频] 新闻" or "[bold]" are text, never markup."""
    result = newsvault("add", "http://127.0.0.1:9/v", "--name", "[bold]视频[/bold] 新闻",
                       "--no-check", cwd=archive, check=0)
    assert "added [bold]视频[/bold] 新闻 <http://127.0.0.1:9/v>" in result.stdout


def test_without_network_every_source_fails_with_a_reason_and_the_run_exits_0(archive):
    for port, name in ((9, "甲"), (1, "乙")):  # closed loopback ports: connection refused
        newsvault("add", f"http://127.0.0.1:{port}/feed", "--name", name, "--no-check",
                  cwd=archive, check=0)
    config = archive / "newsvault.toml"
    config.write_text(config.read_text().replace("retries = 2", "retries = 0"), encoding="utf-8")
    result = newsvault("run", cwd=archive, check=0)
    assert "2 failed" in result.stdout
    assert result.stdout.count("cannot connect") == 2
    strict = newsvault("fetch", "--strict", cwd=archive)
    assert strict.returncode == 1
    status = json.loads(newsvault("status", "--json", cwd=archive, check=0).stdout)
    by_name = {source["name"]: source for source in status["sources"]}
    assert by_name["甲"]["last_status"] == "error"
    assert by_name["甲"]["consecutive_failures"] == 2
    assert "cannot connect" in by_name["甲"]["last_error"]


def test_a_broken_config_exits_2_and_names_the_key(archive):
    config = archive / "newsvault.toml"
    config.write_text(config.read_text().replace("per_host = 4", 'per_host = "four"'))
    result = newsvault("status", cwd=archive, check=2)
    assert "fetch.per_host" in result.stderr


def test_a_misspelt_table_exits_2_naming_it_and_the_right_one(archive):
    config = archive / "newsvault.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[[source]]\nname = "甲"\nurl = "http://127.0.0.1:9/a"\n', encoding="utf-8")
    result = newsvault("fetch", cwd=archive, check=2)
    assert result.stderr == (f"error: {config}: unknown table [[source]]; "
                             "did you mean [[sources]]?\n")


BLOCK = '\n[[sources]]\nname = "甲"\nurl = "http://127.0.0.1:9/a"\n'


def test_a_config_saved_with_a_bom_is_read_and_keeps_it(archive):
    config = archive / "newsvault.toml"
    text = config.read_text(encoding="utf-8")
    config.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    newsvault("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check", cwd=archive, check=0)
    assert config.read_bytes() == b"\xef\xbb\xbf" + (text + BLOCK).encode("utf-8")
    listed = json.loads(newsvault("sources", "--json", cwd=archive, check=0).stdout)
    assert [source["name"] for source in listed] == ["甲"]


def test_add_keeps_the_line_endings_of_a_config_saved_on_windows(archive):
    config = archive / "newsvault.toml"
    text = config.read_text(encoding="utf-8").replace("\n", "\r\n").rstrip("\r\n")  # no last one
    config.write_bytes(text.encode("utf-8"))
    newsvault("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check", cwd=archive, check=0)
    assert config.read_bytes() == (text + "\r\n" + BLOCK.replace("\n", "\r\n")).encode("utf-8")
    listed = json.loads(newsvault("sources", "--json", cwd=archive, check=0).stdout)
    assert [source["name"] for source in listed] == ["甲"]


def test_a_config_that_is_not_utf8_exits_2_saying_where_and_what_to_do(archive):
    config = archive / "newsvault.toml"
    text = config.read_text(encoding="utf-8").replace('title = "newsvault"', 'title = "新闻"')
    config.write_bytes(text.encode("gbk"))
    line = text.splitlines().index('title = "新闻"') + 1
    for command in (("status",), ("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check")):
        result = newsvault(*command, cwd=archive, check=2)
        assert result.stderr == (f"error: {config} is not UTF-8 text: line {line} has a byte "
                                 "(0xd0) that is not UTF-8 there (GBK or another encoding?); "
                                 "save the file as UTF-8, the encoding TOML requires\n")
    assert config.read_bytes() == text.encode("gbk")


def test_not_toml_exits_2(archive):
    (archive / "newsvault.toml").write_text("[site\n")
    assert "not valid TOML" in newsvault("fetch", cwd=archive, check=2).stderr


@pytest.mark.parametrize("damage", ["cut in half", "not a database"])
def test_a_broken_database_is_left_as_it_is_with_a_way_out(archive, damage):
    newsvault("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check", cwd=archive, check=0)
    newsvault("status", cwd=archive, check=0)  # the database exists now, sources in it
    database = archive / "newsvault.db"
    data = database.read_bytes()
    broken = data[: len(data) // 2] if damage == "cut in half" else b"<html>404</html>" * 300
    database.write_bytes(broken)
    for command in ("status", "run", "build"):
        result = newsvault(command, cwd=archive, check=1)
        assert result.stderr.startswith(f"error: store: cannot open {database}: ")
        assert "rebuild the archive from its exported posts with `newsvault import jekyll _posts`" \
            in result.stderr
    assert database.read_bytes() == broken  # what a recovery tool could still read


def test_no_archive_here_exits_2_with_a_hint(tmp_path):
    assert "newsvault init" in newsvault("fetch", cwd=tmp_path, check=2).stderr


def test_unknown_source_name_exits_2(archive):
    assert "no source named" in newsvault("fetch", "--source", "无", cwd=archive, check=2).stderr


def test_a_second_run_on_a_locked_archive_exits_3(archive):
    with run_lock(archive):
        result = newsvault("fetch", cwd=archive, check=3)
    assert "busy" in result.stderr


def test_a_command_that_waits_for_a_run_says_so(archive):
    """`build` waited for an hourly run without a word, as if hung."""
    with run_lock(archive):
        build = subprocess.Popen([sys.executable, "-m", "newsvault", "build"], cwd=archive,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([build.stderr], [], [], 60)  # silent: never ready
        said = build.stderr.readline() if ready else ""
    _, rest = build.communicate(timeout=60)
    assert said.startswith("waiting: a fetch or run is working on this archive (pid "), said
    assert build.returncode == 0, rest


@pytest.mark.parametrize("interval", ["soon", "0s", "1", "90"])  # a number alone: a unit?
def test_every_rejects_a_bad_interval(archive, interval):
    result = newsvault("run", "--every", interval, cwd=archive, check=2, timeout=30)
    assert "use a number with s, m, h or d, e.g. 1h" in result.stderr


@pytest.mark.parametrize("command", [
    ("export", "jekyll", "--out", "{blocker}/posts"),
    ("build", "--out", "{blocker}/site"),
    ("opml", "export", "--out", "{blocker}/sources.opml"),
    ("init", "{blocker}/news"),
])
def test_a_path_that_cannot_be_written_is_a_clear_error(archive, command):
    blocker = archive / "a-file"  # a file where the command needs a folder
    blocker.write_text("not a folder")
    arguments = [part.format(blocker=blocker) for part in command]
    result = newsvault(*arguments, cwd=archive, check=1)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {blocker}/")
    assert "Not a directory" in result.stderr
    assert blocker.read_text() == "not a folder"



def started(*args, cwd) -> subprocess.Popen:
    import sys

    return subprocess.Popen([sys.executable, "-m", "newsvault", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sources_added_at_once_by_several_commands_are_all_kept(tmp_path):
    """`xargs -P` over a list of feeds, on an archive that has no database yet: each
    command's read-change-write of newsvault.toml, and of the new database's tables, waits
    for the others'."""
    newsvault("init", "news", "--empty", cwd=tmp_path, check=0)
    archive = tmp_path / "news"
    (archive / "newsvault.toml").chmod(0o600)
    runs = [started("add", f"http://127.0.0.1:9/{n}", "--name", f"源{n}", "--no-check",
                    cwd=archive) for n in range(10)]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    config = tomllib.loads((archive / "newsvault.toml").read_text(encoding="utf-8"))
    assert sorted(source["name"] for source in config["sources"]) == sorted(
        f"源{n}" for n in range(10))
    assert (archive / "newsvault.toml").stat().st_mode & 0o777 == 0o600  # kept


def test_a_config_write_that_fails_leaves_the_file_as_it_was(archive):
    """A full disk (here a file-size limit) while `opml import` writes newsvault.toml: the
    old file stays whole, not cut in the middle of a key."""
    import resource
    import sys

    newsvault("add", "http://127.0.0.1:9/a", "--name", "甲", "--no-check", cwd=archive, check=0)
    before = (archive / "newsvault.toml").read_bytes()
    outlines = "".join(f'<outline text="源 {n}" xmlUrl="http://127.0.0.1:9/{n}"/>'
                       for n in range(6000))
    opml = archive.parent / "many.opml"
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>', encoding="utf-8")

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = subprocess.run([sys.executable, "-m", "newsvault", "opml", "import", str(opml)],
                            cwd=archive, capture_output=True, text=True, timeout=120,
                            preexec_fn=small_files)
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert (archive / "newsvault.toml").read_bytes() == before
    assert not [path for path in archive.iterdir() if path.name.endswith(".tmp")]


def test_run_every_with_a_source_that_is_not_there_stops_at_the_start(archive):
    """Else the schedule would run forever, each tick saying so, and fetch nothing."""
    result = newsvault("run", "--every", "1s", "--source", "nosuch", cwd=archive, check=2,
                       timeout=30)
    assert "no source named 'nosuch'" in result.stderr


def test_an_outline_whose_url_is_no_url_is_skipped_and_the_others_added(archive):
    opml = archive / "feeds.opml"
    opml.write_text('<opml version="2.0"><body><outline text="好" xmlUrl="https://good.example/f"/>'
                    '<outline text="坏" xmlUrl="http://[::1/feed"/></body></opml>', encoding="utf-8")
    result = newsvault("opml", "import", str(opml), cwd=archive, check=0)
    assert "skipped the outline '坏': its URL 'http://[::1/feed' is no URL" in result.stderr
    listed = json.loads(newsvault("sources", "--json", cwd=archive, check=0).stdout)
    assert [source["name"] for source in listed] == ["好"]


def test_init_github_actions_gives_an_archive_made_without_it_its_workflow_once(archive):
    config = (archive / "newsvault.toml").read_bytes()
    result = newsvault("init", "--github-actions", str(archive), cwd=archive.parent, check=0)
    workflow = archive / ".github/workflows/newsvault.yml"
    assert f"wrote {workflow}" in result.stdout and "cron:" in workflow.read_text()
    assert (archive / "newsvault.toml").read_bytes() == config  # the archive as it was
    workflow.write_text("# the user's own edits\n", encoding="utf-8")
    again = newsvault("init", "--github-actions", str(archive), cwd=archive.parent, check=2)
    assert "newsvault.yml exists already" in again.stderr
    assert workflow.read_text() == "# the user's own edits\n"  # never overwritten


def test_init_never_overwrites_a_workflow_a_folder_has(tmp_path):
    workflow = tmp_path / "site/.github/workflows/newsvault.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("# mine\n", encoding="utf-8")
    newsvault("init", "site", "--empty", "--github-actions", cwd=tmp_path, check=2)
    assert workflow.read_text() == "# mine\n" and not (tmp_path / "site/newsvault.toml").exists()


def test_an_opml_file_that_lists_no_feed_says_so(archive):
    opml = archive / "folders.opml"
    opml.write_text('<opml version="2.0"><body><outline text="空文件夹"/></body></opml>',
                    encoding="utf-8")
    result = newsvault("opml", "import", str(opml), cwd=archive, check=0)
    assert "lists no feed (no <outline> with an xmlUrl)" in result.stderr
    assert "added 0 sources" in result.stdout
