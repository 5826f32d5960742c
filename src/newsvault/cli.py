"""The command line: parse options, call a stage, show the result. Nothing else lives here.

The stages that pull in large libraries (HTTP, OpenCC, Jinja2, nh3, numpy) are imported by
the commands that use them: every command, `build` on one new article above all, starts
faster.
"""

import json
import re
import shlex
import sys
from pathlib import Path

import click

from newsvault import __version__
from newsvault.archive import Archive, open_archive, run_lock
from newsvault.config import (SourceSettings, append_sources, clean_name, feed_url_as_http,
                              name_problem, text_problem, tidy_tags, url_problem)
from newsvault.errors import ArchiveLockedError, ConfigError, NewsvaultError
from newsvault.links import shown_url
from newsvault.report import (FetchProgress, StepProgress, counted, in_local_time,
                              outcome_summary, outcome_table, text_table, when)
from newsvault.store.identity import canonical_url, scheme_blind
from newsvault.termination import EXIT_TERMINATED, stop_on_sigterm, terminated

EXIT_SOURCE_FAILED, EXIT_USAGE, EXIT_LOCKED = 1, 2, 3


def main() -> None:
    stop_on_sigterm()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except (click.exceptions.Abort, KeyboardInterrupt):
        # what was stored before is kept: each source commits on its own
        how, code = ("terminated", EXIT_TERMINATED) if terminated() else ("interrupted", 130)
        click.echo(f"{how}: what was stored before is kept; the next run goes on", err=True)
        sys.exit(code)
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except ArchiveLockedError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except NewsvaultError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except OSError as error:  # a folder that cannot be made, a full disk: said, not a traceback
        click.echo(f"error: {_os_error_message(error)}", err=True)
        sys.exit(1)


def _os_error_message(error: OSError) -> str:
    if error.filename is None:
        return str(error)
    if isinstance(error, FileExistsError) and not Path(error.filename).is_dir():
        return f"{error.filename}: a file is there where a folder is needed"
    return f"{error.filename}: {error.strerror or error}"


@click.group()
@click.version_option(__version__, prog_name="newsvault")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
              default=".", show_default="the current folder", help="The archive folder.")
@click.pass_context
def cli(ctx, archive_dir: Path):
    """newsvault keeps news from disappearing: feeds → SQLite archive → Jekyll posts."""
    ctx.obj = archive_dir


def _untitled(archive: Archive) -> str:
    """What the site's language calls an article with neither title nor text."""
    from newsvault.site.i18n import words

    return words(archive.settings.language)["untitled"]


def _locked(archive: Archive, wait: bool):
    """The archive's run lock; waiting for it is said, not silent."""
    def say_waiting(holder: str) -> None:
        click.echo(f"waiting: a fetch or run is working on this archive ({holder}); this"
                   " command goes on when it is done", err=True)

    return run_lock(archive.root, wait=wait, on_wait=say_waiting)


def _archive(ctx, warc: bool = False):
    archive = open_archive(ctx.obj)
    ctx.call_on_close(archive.close)
    _warn_of_feeds_listed_twice(archive)
    if warc:  # every fetch of this command records, whichever stage makes it
        archive.settings.fetch.warc = True
    return archive


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--empty", is_flag=True, help="No sources (default: a few Chinese-language outlets).")
@click.option("--github-actions", is_flag=True, help="Also write an hourly GitHub Actions workflow.")
@click.option("--title", default="newsvault", show_default=True, help="The site's title.")
def init(directory: Path, empty: bool, github_actions: bool, title: str):
    """Create an archive folder with its newsvault.toml."""
    from newsvault.scaffold import WORKFLOW_PATH, create_archive

    _check_typed("--title", title, text_problem)
    created = create_archive(directory, title=title, empty=empty, github_actions=github_actions)
    for path in created.written:
        click.echo(f"wrote {path}")
    if github_actions:
        _tell_workflow_package(created.workflow_package, directory / WORKFLOW_PATH)
        _tell_enclosing_repository(created.enclosing_repository, directory)
    click.echo(f"next: cd {shlex.quote(str(directory))} && newsvault run")


def _tell_workflow_package(package: str | None, workflow: Path) -> None:
    if package:
        click.echo(f"the workflow installs newsvault from {package}")
    else:
        click.echo(f"warning: this newsvault was installed from a folder that GitHub cannot reach;"
                   f" set NEWSVAULT_PACKAGE in {workflow} to where pip can install it from"
                   f" (e.g. git+https://github.com/OWNER/newsvault)", err=True)


def _tell_enclosing_repository(repository: Path | None, directory: Path) -> None:
    if repository is not None and not (directory / ".git").exists():
        click.echo(f"warning: {directory} is a folder inside the git repository {repository};"
                   f" GitHub runs only the workflows in {repository / '.github/workflows'}, and"
                   f" this one expects the archive at the repository's root: make the archive"
                   f" a repository of its own (git init {shlex.quote(str(directory))})", err=True)


@cli.command()
@click.argument("url")
@click.option("--name", help="Name (author/tag/category in posts); default: the feed's title.")
@click.option("--tag", "tags", multiple=True, help="A tag for its posts; repeatable.")
@click.option("--no-check", is_flag=True, help="Add without fetching the URL first.")
@click.pass_context
def add(ctx, url: str, name: str | None, tags: tuple[str, ...], no_check: bool):
    """Add a source: a feed URL, or a page that links to its feed.

    A feed:// URL is taken for http://, as feed readers do."""
    url = _check_url(feed_url_as_http(url))
    if name is not None:
        name = _check_typed("--name", name.strip(), name_problem)
    tags = [_check_typed("--tag", tag, text_problem) for tag in tags]
    archive = _archive(ctx)
    if not no_check:
        from newsvault.pipeline.adding import find_feed

        found = find_feed(url, archive.settings.fetch)
        url, name = found.url, name or clean_name(found.title or "")
    if not name:
        raise ConfigError("give the source a name with --name (the feed has no title)")
    source = SourceSettings(name, url, tidy_tags(tags, name))
    _check_new_sources(archive, [source])
    append_sources(archive.config_path, [source])
    click.echo(f"added {name} <{shown_url(url)}>")


def _check_url(url: str) -> str:
    if problem := url_problem(url):
        raise ConfigError(f"the URL {url!r} {problem}")
    return url


def _check_typed(option: str, value: str, problem_of) -> str:
    if problem := problem_of(value):
        raise ConfigError(f"{option} {value!r} {problem}; give a {option.lstrip('-')} "
                          "of printable characters on one line")
    return value


def _check_new_sources(archive, sources: list[SourceSettings]) -> None:
    names = {source.name for source in archive.settings.sources}
    fetched = _fetched_feeds(archive)
    for source in sources:  # the URL first: another name would not help
        if (key := _feed_key(source.url)) in fetched:
            raise ConfigError(f"{shown_url(source.url)} is fetched already, as the source "
                              f"{fetched[key]!r}")
        if source.name in names:
            raise ConfigError(f"a source named {source.name!r} exists already; pick another --name")


def _feed_key(url: str) -> str | None:
    """What tells one feed from another: "HTTP://Host/feed#x" is the feed at
    "http://host/feed", and at "https://host/feed"."""
    key = canonical_url(url)
    return scheme_blind(key) if key else None


def _warn_of_feeds_listed_twice(archive) -> None:
    """Two [[sources]] of one feed (compared as `add` compares them) are fetched twice, and
    its articles go to one of them. Said, not refused: an archive that has them goes on."""
    first_of: dict[str, SourceSettings] = {}
    for source in archive.settings.sources:
        first = first_of.setdefault(_feed_key(source.url), source)
        if first is not source:
            urls = shown_url(first.url) + (f" and {shown_url(source.url)}"
                                           if source.url != first.url else "")
            click.echo(f"warning: {archive.config_path}: the sources {first.name!r} and "
                       f"{source.name!r} are one feed ({urls}): it is fetched twice, and its "
                       "articles are archived under only one of them; remove one of the two",
                       err=True)


def _fetched_feeds(archive) -> dict[str, str]:
    """The key (_feed_key) of each listed source's feed (as configured, and where a 301/308
    moved it) → the source's name."""
    names = {source.name for source in archive.settings.sources}
    fetched = {_feed_key(source.url): source.name for source in archive.settings.sources}
    fetched.update((_feed_key(known.url), known.name)
                   for known in archive.store.configured_sources() if known.name in names)
    return fetched


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def sources(ctx, as_json: bool):
    """List the sources."""
    archive = _archive(ctx)
    fetched_from = {source.name: source.url for source in archive.store.configured_sources()}
    rows = [{"name": source.name, "url": shown_url(source.url), "tags": source.tags,
             "moved_to": _moved_to(source.url, fetched_from.get(source.name))}
            for source in archive.settings.sources]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(text_table(("name", "url", "tags", "moved to (301/308)"),
                          [(row["name"], row["url"], ", ".join(row["tags"]), row["moved_to"] or "")
                           for row in rows]))


def _moved_to(configured: str, fetched: str | None) -> str | None:
    """Where a source is fetched from since a permanent redirect (None: where configured)."""
    return shown_url(fetched) if fetched and fetched != configured else None


@cli.group()
def opml():
    """Sources in and out as OPML 2.0 (what feed readers exchange)."""


@opml.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def opml_import(ctx, file: Path):
    """Add the feeds listed in an OPML file (those already present are left alone).

    A feed:// URL is taken for http://, as feed readers do; an outline whose URL is not
    http(s) is skipped with a warning."""
    archive = _archive(ctx)
    known_urls = set(_fetched_feeds(archive))
    known_names = {source.name for source in archive.settings.sources}
    new = []
    from newsvault.feeds.opml import read_opml

    listed = read_opml(file.read_bytes())
    if not listed.outlines:
        click.echo(f"warning: {file} lists no feed (no <outline> with an xmlUrl)", err=True)
    elif listed.damaged:
        click.echo(f"warning: {file} is not well-formed OPML (cut off?): only the "
                   f"{counted(len(listed.outlines), 'feed')} that could be read in it are taken",
                   err=True)
    for outline in listed.outlines:
        url = feed_url_as_http(outline.url)
        if _feed_key(url) in known_urls:
            continue
        # names and tags from elsewhere are cleaned, not refused
        name = _unique_name(clean_name(outline.name) or url, known_names)
        if problem := url_problem(url):
            click.echo(f"warning: skipped the outline {name!r}: its URL {url!r} {problem}",
                       err=True)
            continue
        known_names.add(name)
        known_urls.add(_feed_key(url))
        new.append(SourceSettings(name, url, tidy_tags(map(clean_name, outline.tags), name)))
    if new:
        append_sources(archive.config_path, new)
    click.echo(f"added {counted(len(new), 'source')} from {file}")


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


@opml.command("export")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.pass_context
def opml_export(ctx, out_file: Path | None):
    """Write the sources as OPML 2.0."""
    archive = _archive(ctx)
    from newsvault.feeds.opml import OpmlOutline, write_opml

    outlines = [OpmlOutline(source.name, source.url, source.tags)
                for source in archive.settings.sources]
    data = write_opml(outlines, title=archive.settings.title)
    if out_file:
        out_file.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


def _fetch_options(command):
    command = click.option("--source", "names", multiple=True,
                           help="Only this source (repeatable); also retries a dead one.")(command)
    command = click.option("--strict", is_flag=True, help="Exit 1 if any source failed.")(command)
    command = click.option("--no-images", "no_images", is_flag=True,
                           help="Do not download the articles' images this time "
                                "(media.download = false always).")(command)
    command = click.option("--warc", is_flag=True,
                           help="Record every HTTP response in WARC files (fetch.warc_dir).")(command)
    return click.option("--wait", is_flag=True,
                        help="Wait for another run on this archive to finish.")(command)


@cli.command()
@_fetch_options
@click.pass_context
def fetch(ctx, names, strict: bool, warc: bool, wait: bool, no_images: bool):
    """Fetch the sources and archive new and changed articles (and their images)."""
    archive = _archive(ctx, warc)
    media = None
    with _locked(archive, wait):
        with FetchProgress(_source_count(archive, names)) as progress:
            outcomes = _running().fetch(archive, names, on_outcome=progress.advance)
        if archive.settings.media.download and not no_images:
            media = _running().fetch_media(archive)
    _show_outcomes(outcomes)
    if media:
        _show_media(media)
    if strict and any(outcome.failed for outcome in outcomes):
        sys.exit(EXIT_SOURCE_FAILED)


@cli.command()
@_fetch_options
@click.option("--every", "interval", help="Keep running on this schedule, e.g. 1h, 30m, 90s.")
@click.pass_context
def run(ctx, names, strict: bool, warc: bool, wait: bool, no_images: bool,
        interval: str | None):
    """Fetch, then the exports configured in newsvault.toml."""

    def once():
        # opened again each time: with --every, sources added meanwhile are fetched
        archive = open_archive(ctx.obj)
        _warn_of_feeds_listed_twice(archive)
        report = _running().RunReport()
        try:
            if warc:
                archive.settings.fetch.warc = True
            with _locked(archive, wait):
                with FetchProgress(_source_count(archive, names)) as progress:
                    cleaning, building = _steps(progress)
                    _running().run_once(archive, names, on_outcome=progress.advance,
                                        images=not no_images, on_clean_progress=cleaning,
                                        on_build_progress=building, report=report)
        except Exception:
            if report.outcomes:  # the fetch is stored: what it did is said before the error
                _show_run(report)
            raise
        finally:
            archive.close()
        _show_run(report)
        return report

    if interval:
        seconds = _seconds(interval)
        archive = open_archive(ctx.obj)  # a wrong folder or newsvault.toml stops it here,
        try:  # and so does a --source that names none (exit 2), not every tick
            _running().select_sources(archive, names)
        finally:
            archive.close()
        _running().every(seconds, lambda: _tick(once), on_wait=_show_next_run)
        return
    if once().failed and strict:
        sys.exit(EXIT_SOURCE_FAILED)


def _show_run(report) -> None:
    _show_outcomes(report.outcomes)
    if report.media:
        _show_media(report.media)
    if report.jekyll:
        click.echo(f"jekyll: {counted(report.jekyll.written, 'post')} written to "
                   f"{report.jekyll.out}")
    if report.site:
        _show_build(report.site)


def _running():
    from newsvault.pipeline import running

    return running


def _tick(once) -> None:
    """One scheduled run. Its failure is told and the schedule goes on: the next tick may
    find the edit of newsvault.toml finished or the disk freed."""
    try:
        once()
    except ArchiveLockedError as error:  # a scheduled tick never queues behind another run
        click.echo(f"skipped this tick: {error}", err=True)
    except (NewsvaultError, OSError) as error:
        reason = _os_error_message(error) if isinstance(error, OSError) else error
        click.echo(f"error: this run stopped: {reason}; the next one tries again", err=True)


def _show_next_run(seconds: float) -> None:
    click.echo(f"next run {in_local_time(seconds)}; Ctrl-C stops")


def _seconds(interval: str) -> float:
    # a unit always: "--every 1", meant as an hour, would ask every feed every second
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", interval)
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(f"--every {interval!r}: use a number with s, m, h or d, e.g. 1h")
    return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def _source_count(archive, names) -> int:
    return len(names) or len(archive.settings.sources)


def _show_outcomes(outcomes) -> None:
    if outcomes:
        click.echo(outcome_table(outcomes))
    click.echo(outcome_summary(outcomes))


_FAILURES_SHOWN = 20


def _show_media(report) -> None:
    if not report.attempted and not report.skipped and not report.deferred:
        return
    click.echo(f"images: {report.downloaded} downloaded ({report.bytes / 2**20:.1f} MB, "
               f"{counted(report.new_files, 'new file')}), {len(report.failed)} failed"
               + (f", {report.skipped} not tried (article over media.max_article_mb)"
                  if report.skipped else "")
               + (f", {report.deferred} left for the next run (host unreachable)"
                  if report.deferred else "") + f" ({report.seconds:.1f} s)")
    if report.unreachable:
        hosts = report.unreachable
        click.echo(f"images: cannot reach {', '.join(hosts[:_FAILURES_SHOWN])}"
                   + (f" and {len(hosts) - _FAILURES_SHOWN} more hosts"
                      if len(hosts) > _FAILURES_SHOWN else ""))
    for url, reason in report.failed[:_FAILURES_SHOWN]:
        click.echo(f"image failed: {url}: {reason}")
    if len(report.failed) > _FAILURES_SHOWN:
        click.echo(f"… and {len(report.failed) - _FAILURES_SHOWN} more (newsvault status)")


@cli.command()
@click.option("--wait", is_flag=True, help="Wait for another run on this archive to finish.")
@click.pass_context
def media(ctx, wait: bool):
    """Download the images of the archived articles that are not stored yet."""
    archive = _archive(ctx)
    with _locked(archive, wait):
        report = _running().fetch_media(archive)
    _show_media(report)
    if not report.attempted and not report.skipped:
        click.echo("images: nothing to download")


_assets_option = click.option(
    "--assets", type=click.Choice(["local", "remote"]), default="local", show_default=True,
    help="Images: the copies stored in the archive (`newsvault media`), or the original URLs.")


@cli.group("export")
def export_group():
    """Write the archive out."""


@export_group.command("jekyll")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the posts (default: export.jekyll.out, _posts).")
@click.option("--raw", is_flag=True, help="The HTML exactly as the source gave it.")
@click.option("--full", is_flag=True, help="Rewrite every post, not only new or changed ones.")
@_assets_option
@click.pass_context
def export_jekyll_command(ctx, out_dir: Path | None, raw: bool, full: bool, assets: str):
    """Jekyll posts in the old system's format; only new or changed ones are written.

    With local assets, images stored in the archive are copied into the Jekyll site's
    assets/media/ (the folder above the posts') and linked as {{ site.baseurl }}/assets/media/….
    --raw writes the HTML exactly as the source gave it, remote images included."""
    from newsvault.export.jekyll import export_jekyll

    archive = _archive(ctx)
    target = out_dir or archive.resolve(archive.settings.jekyll.out)
    with StepProgress() as progress:
        report = export_jekyll(archive.store, target, raw=raw or archive.settings.jekyll.raw,
                               full=full, assets=assets, zone=archive.zone,
                               on_clean_progress=progress.step("cleaning", "articles"))
    cleaned = f" ({counted(report.cleaned, 'article')} cleaned first)" if report.cleaned else ""
    click.echo(f"jekyll: {counted(report.written, 'post')} written, "
               f"{report.posts - report.written} already up to date, in {report.out}{cleaned}")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the site (default: build.out, site).")
@click.option("--full", is_flag=True, help="Render every page, not only those that changed.")
@_assets_option
@click.pass_context
def build(ctx, out_dir: Path | None, full: bool, assets: str):
    """Build the reader's site (only the pages that changed since the last build)."""
    from newsvault.site import build_archive_site

    archive = _archive(ctx)
    with _locked(archive, wait=True), StepProgress() as progress:  # names posts
        cleaning, building = _steps(progress)
        report = build_archive_site(archive, out_dir, full=full, assets=assets,
                                    on_clean_progress=cleaning, on_progress=building)
    _show_build(report)


def _steps(progress: StepProgress) -> tuple:
    """The progress callbacks of cleaning the articles and of building the site."""
    return progress.step("cleaning", "articles"), progress.step("building", "pages")


def _show_build(report) -> None:
    if report.rebuilt:
        click.echo(f"site: {report.rebuilt}: every page is made anew")
    click.echo(f"site: {report.rendered} of {counted(report.pages, 'page')} rendered, "
               f"{counted(report.written, 'file')} written, {report.deleted} deleted, "
               f"in {report.out} ({report.seconds:.2f} s)")


@cli.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than loopback shows the site to the network).")
@click.option("--build", "build_first", is_flag=True, help="Build the site first.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The site's folder (default: build.out, site).")
@click.pass_context
def serve(ctx, port: int, host: str, build_first: bool, out_dir: Path | None):
    """Serve the built site and its search API (GET /api/search?q=)."""
    from newsvault.site import build_archive_site
    from newsvault.site.serve import serve_site

    archive = _archive(ctx)
    site_dir = out_dir or archive.resolve(archive.settings.build.out)
    if build_first:
        with _locked(archive, wait=True), StepProgress() as progress:
            cleaning, building = _steps(progress)
            _show_build(build_archive_site(archive, site_dir, on_clean_progress=cleaning,
                                           on_progress=building))
    if not (site_dir / "index.html").is_file():
        raise ConfigError(f"no site in {site_dir}; run `newsvault build` or pass --build")
    serve_site(site_dir, archive.store, host, port,
               on_ready=lambda url: click.echo(f"serving {site_dir} at {url} (Ctrl-C stops)"),
               untitled=_untitled(archive))


@cli.group("import")
def import_group():
    """Bring an existing archive in."""


@import_group.command("jekyll")
@click.argument("posts_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def import_jekyll_command(ctx, posts_dir: Path):
    """Import a Jekyll _posts folder (the old system's format and its variants)."""
    archive = _archive(ctx)
    with _locked(archive, wait=True):
        from newsvault.export.jekyll_import import import_jekyll

        in_place = _same_folder(posts_dir, archive.resolve(archive.settings.jekyll.out))
        report = import_jekyll(archive.store, posts_dir, archive.zone, in_place=in_place)
    click.echo(f"read {counted(report.files, 'file')}: {counted(report.imported, 'article')} "
               f"imported from {counted(report.imported_files, 'file')}, "
               f"{report.already_archived} already in the archive "
               f"({counted(report.already_archived_files, 'file')}), "
               f"{counted(report.merged_files, 'file')} merged into "
               f"{counted(report.merged_articles, 'article')} (their distinct versions kept as "
               f"revisions), {len(report.renamed)} renamed, {len(report.skipped)} not imported")
    for old, new, reason in report.renamed:
        click.echo(f"renamed{' on disk' if in_place else ''}: {old!r} → {new} ({reason})")
    for name, reason in report.skipped:
        click.echo(f"not imported: {name}: {reason}")
    click.echo("search: the index catches up on the next `search`, `run` or `serve` query")


def _same_folder(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:  # the export's folder is not made yet
        return False


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts and monitoring.")
@click.pass_context
def status(ctx, as_json: bool):
    """Per source: last fetch, last result, articles, failures; and archive totals."""
    from newsvault.pipeline.status import status_report

    report = status_report(_archive(ctx).store)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    rows = [(source["name"], when(source["last_fetch_ms"]), source["last_status"] or "-",
             str(source["articles"]), str(source["consecutive_failures"]),
             str(source["pages_failed"]), _status_reason(source))
            for source in report["sources"]]
    click.echo(text_table(("source", "last fetch", "result", "articles", "failures",
                           "pages failed", "reason"), rows, right_aligned={3, 4, 5}))
    totals = report["totals"]
    unlisted = totals["sources_not_configured"]
    click.echo(f"{counted(totals['articles'], 'article')} "
               f"({counted(totals['versions'], 'version')}) from "
               f"{counted(totals['sources'], 'source')}"
               + (f" ({unlisted} not in newsvault.toml, not fetched)" if unlisted else "")
               + f"; {counted(totals['fetch_runs'], 'fetch')} logged")
    media = report["media"]
    if media["ok"] or media["failed"] or media["pending"]:
        click.echo(f"images: {media['ok']} stored in {media['files']} files "
                   f"({media['stored_bytes'] / 2**20:.1f} MB; articles show "
                   f"{media['referenced_bytes'] / 2**20:.1f} MB), {media['failed']} failed, "
                   f"{media['pending']} pending")
        for failure in media["failures"]:
            click.echo(f"image failed: {failure['url']}: {failure['error']} "
                       f"({failure['attempts']} attempts)")


def _status_reason(source: dict) -> str:
    if not source["configured"]:  # removed or renamed, or known only from imported posts
        return "not fetched: not in newsvault.toml"
    reason = source["last_error"] or ("dead" if source["dead"] else "")
    if source["pages_failed"]:
        waiting = source["pages_waiting"]
        page = (f"full text: {source['last_page_error']}"
                + (f" ({waiting} to try again)" if waiting else ""))
        reason = f"{reason}; {page}" if reason else page
    return reason


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--source", help="Only this source's articles.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="At most this many hits.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: title, url, source, published, snippet (HTML, matches in <mark>).")
@click.pass_context
def search(ctx, query: tuple[str, ...], source: str | None, limit: int, as_json: bool):
    """Search the archive, best match first: all the words and "quoted phrases" must occur.

    Chinese words match inside longer ones, 臺灣 finds 台湾, case does not matter.
    """
    from newsvault.search import search_articles
    from newsvault.search.display import print_hits

    archive = _archive(ctx)
    hits = search_articles(archive.store, " ".join(query), source=source, limit=limit,
                           untitled=_untitled(archive))
    if as_json:
        click.echo(json.dumps([hit.to_json() for hit in hits], ensure_ascii=False, indent=2))
    elif hits:
        print_hits(hits)
    else:
        click.echo(f"no article matches {' '.join(query)!r}")
