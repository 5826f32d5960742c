"""Import and export benchmark: the 5,685-post corpus into a fresh archive and back out.

    python -m bench.import_export_bench                  # 3 rounds
    python -m bench.import_export_bench --runs 1 --profile /tmp/ie   # cProfile each phase

The product targets (issue 2): importing the corpus into a fresh archive takes at most 5 s,
exporting it into an empty folder at most 2 s, and an export with nothing changed at most
0.3 s. Each round measures, on a fresh archive folder (``newsvault.toml`` without sources):

- import: ``import_jekyll`` of the corpus's ``_posts``;
- export: ``export_jekyll`` of the archive into an empty folder. This first export also
  cleans every imported article once (content/clean.py, kept for later exports and builds);
- export, clean HTML stored: the same into another empty folder, the cleaning done;
- raw export: ``export_jekyll(raw=True)`` into another empty folder (the HTML as imported);
- no-change export: the first export's folder again, when nothing changed.

Then the cleaning's floor, in a process of its own on the imported archive: the CPU time
of nh3's ``clean`` with nh3's own defaults (no callback: html5ever's parse and
serialization of the HTML, the least a sanitizer on nh3 costs), and of newsvault's
sanitizer, over every article's HTML on one core. With the export of stored clean HTML,
divided by the cores, it bounds from below a first export that cleans with nh3, however
it is scheduled. (A faster parser alone does not lower it: see docs/benchmarks.md.)
With the import's CPU time, it also bounds an import that would do the cleaning instead
(on the core the import leaves idle), so that the first export would not.

Each phase runs in a process of its own, so that its peak RSS (wait4's ru_maxrss) is its
own; its time is measured inside that process around the operation, the archive's opening
and closing included (closing checkpoints the WAL). Interpreter start and imports are not
newsvault's work and are shown apart: the process wall, and the real ``newsvault export
jekyll`` command with nothing changed next to ``python -c pass``.

The export's floor, measured right before it (with the corpus's files) and right after it
(with the exported ones): plain create + write + rename of the files into an empty folder.
Why they vary: on an ext4 without a journal (this VM's disk), creating a file skips, one by
one, the inodes freed in the last five minutes whose inode table block is not written back
(five seconds once it is; creating files dirties those blocks again). So after tens of
thousands of files were deleted (an earlier run's work folder), each new file costs many
times the kernel time, for minutes. Every phase and floor starts after a ``sync``, which
helps only in part. The floors say whether a slow export was the machine.

The script asserts only correctness (the counts), never a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # also runnable as `python bench/import_export_bench.py`
    sys.path.insert(0, str(REPO))

from bench.corpus import require_corpus  # noqa: E402

MB = 1_000_000
TARGETS = {"import": 5.0, "export": 2.0, "export, clean HTML stored": 2.0, "raw export": 2.0,
           "no-change export": 0.3}
# phase → (what the phase process runs, its output folder)
PHASES = {"import": ("import", "out"), "export": ("export", "out"),
          "export, clean HTML stored": ("export", "out-again"),
          "raw export": ("export-raw", "out-raw"), "no-change export": ("export", "out")}
EXPECTED = {"files": 5685, "imported": 5641, "merged_articles": 34, "merged_files": 78,
            "skipped": 0}


# =============================================================================================
# one phase, in its own process


def run_phase(phase: str, archive: Path, posts: Path, out: Path, report: Path,
              profile: Path | None) -> None:
    from newsvault.archive import open_archive
    from newsvault.export.jekyll import export_jekyll
    from newsvault.export.jekyll_import import import_jekyll

    if phase == "clean-floor":
        report.write_text(json.dumps(clean_floor(archive)))
        return
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    opened = open_archive(archive)
    if phase == "import":
        done = import_jekyll(opened.store, posts)
        counts = {"files": done.files, "imported": done.imported,
                  "merged_articles": done.merged_articles, "merged_files": done.merged_files,
                  "renamed": len(done.renamed), "skipped": len(done.skipped)}
    else:
        done = export_jekyll(opened.store, out, raw=phase == "export-raw")
        counts = {"written": done.written, "unchanged": done.unchanged}
    opened.close()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    seconds = time.perf_counter() - started
    report.write_text(json.dumps({"seconds": seconds, **counts}))


def clean_floor(archive: Path) -> dict:
    """CPU seconds, on one core, to clean every article's HTML: nh3 with its defaults, and
    newsvault's sanitizer."""
    import nh3

    from newsvault.archive import open_archive
    from newsvault.content.sanitize import clean_html

    opened = open_archive(archive)
    store = opened.store
    sources = store.display_sources([article_id for article_id, _ in store.changed_after(0)])
    opened.close()
    started = time.process_time()
    for source in sources:
        nh3.clean(source.content_html)
    nh3_s = time.process_time() - started
    started = time.process_time()
    for source in sources:
        clean_html(source.content_html, source.url)
    sanitizer_s = time.process_time() - started
    return {"articles": len(sources), "nh3_defaults_cpu_s": nh3_s, "sanitizer_cpu_s": sanitizer_s,
            "html_mb": sum(len(source.content_html.encode()) for source in sources) / MB}


# Runs a command and reports its wait4() rusage. A launcher of its own, because a process's
# ru_maxrss starts from its parent's RSS at fork time: forked straight from this script, the
# phase would inherit this script's RSS (the floor's files) as a floor of its own.
_LAUNCHER = """
import json, os, subprocess, sys, time
report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
child = subprocess.Popen(command)
_, status, usage = os.wait4(child.pid, 0)
with open(report, "w") as handle:
    json.dump({"wall_s": time.perf_counter() - started, "maxrss_kb": usage.ru_maxrss,
               "cpu_s": usage.ru_utime + usage.ru_stime,
               "exit_code": os.waitstatus_to_exitcode(status)}, handle)
"""


@dataclass
class Measured:
    seconds: float = float("nan")  # the operation, inside the process
    wall_s: float = float("nan")  # the whole process
    cpu_s: float = float("nan")  # the whole process, user + system
    rss_mb: float = float("nan")
    counts: dict = field(default_factory=dict)
    error: str = ""


def launch(command: list[str], workdir: Path, label: str) -> dict:
    usage = workdir / f"{label}.usage.json"
    log = workdir / f"{label}.log"
    with open(log, "wb") as output:
        subprocess.run([sys.executable, "-c", _LAUNCHER, str(usage), *command], stdout=output,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO, check=False)
    result = json.loads(usage.read_text())
    if result["exit_code"] != 0:
        result["error"] = log.read_text(errors="replace").strip().splitlines()[-1:]
    return result


def measure(phase: str, archive: Path, posts: Path, out: Path, workdir: Path, label: str,
            profile_dir: Path | None) -> Measured:
    os.sync()  # the previous phase's writeback is not this one's bill
    report = workdir / f"{label}.json"
    command = [sys.executable, "-m", "bench.import_export_bench", "--phase", phase,
               "--archive", str(archive), "--posts", str(posts), "--out", str(out),
               "--report", str(report)]
    if profile_dir:
        command += ["--profile-file", str(profile_dir / f"{label}.prof")]
    usage = launch(command, workdir, label)
    if usage.get("error"):
        return Measured(error=f"{phase} failed: {usage['error']}")
    counts = json.loads(report.read_text())
    return Measured(seconds=counts.pop("seconds"), wall_s=usage["wall_s"], cpu_s=usage["cpu_s"],
                    rss_mb=usage["maxrss_kb"] * 1024 / MB, counts=counts)


def floor_write(source: Path, target: Path) -> float:
    """Seconds to create, write and rename the files of ``source`` into an empty ``target``."""
    files = [(entry.name, Path(entry.path).read_bytes()) for entry in os.scandir(source)]
    target.mkdir()
    os.sync()
    started = time.perf_counter()
    for number, (name, data) in enumerate(files):
        temporary = os.path.join(target, f".floor-{number}.tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            os.write(handle, data)
        finally:
            os.close(handle)
        os.replace(temporary, os.path.join(target, name))
    return time.perf_counter() - started


def command_wall(command: list[str], runs: int = 3) -> float:
    """The best wall time of ``command`` over ``runs``."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        best = min(best, time.perf_counter() - started)
    return best


# =============================================================================================
# the benchmark


@dataclass
class Round:
    phases: dict[str, Measured] = field(default_factory=dict)
    floor_before_s: float = float("nan")
    floor_after_s: float = float("nan")
    command_s: float = float("nan")
    clean_floor: dict = field(default_factory=dict)


def one_round(number: int, posts: Path, workdir: Path, profile_dir: Path | None) -> Round:
    from newsvault.scaffold import create_archive

    folder = workdir / f"round-{number}"
    folder.mkdir()
    archive, out = folder / "news", folder / "out"
    create_archive(archive, title="bench", empty=True, github_actions=False)
    result = Round()
    for phase, (runs, folder_name) in PHASES.items():
        label = f"{number}-{phase.replace(' ', '-').replace(',', '')}"
        if phase == "export":
            result.floor_before_s = floor_write(posts, folder / "floor-before")
        result.phases[phase] = measured = measure(runs, archive, posts, folder / folder_name,
                                                  folder, label, profile_dir)
        print(f"[run {number}] {phase}: {measured.seconds:.3f} s, peak RSS "
              f"{measured.rss_mb:.0f} MB {measured.error}".rstrip())
        if measured.error:
            return result
        if phase == "export":
            result.floor_after_s = floor_write(out, folder / "floor-after")
    result.command_s = command_wall([sys.executable, "-m", "newsvault", "--archive",
                                     str(archive), "export", "jekyll", "--out", str(out)])
    result.clean_floor = measure_clean_floor(archive, posts, folder)
    return result


def measure_clean_floor(archive: Path, posts: Path, folder: Path) -> dict:
    report = folder / "clean-floor.json"
    usage = launch([sys.executable, "-m", "bench.import_export_bench", "--phase", "clean-floor",
                    "--archive", str(archive), "--posts", str(posts), "--out", str(folder),
                    "--report", str(report)], folder, "clean-floor")
    return {} if usage.get("error") else json.loads(report.read_text())


def check(rounds: list[Round]) -> list[str]:
    wrong = []
    for number, result in enumerate(rounds, start=1):
        for measured in result.phases.values():
            if measured.error:
                wrong.append(f"run {number}: {measured.error}")
        imported = result.phases.get("import")
        if imported and not imported.error:
            got = {key: imported.counts[key] for key in EXPECTED}
            if got != EXPECTED:
                wrong.append(f"run {number}: import counts {got}, expected {EXPECTED}")
        for phase in ("export", "export, clean HTML stored", "raw export"):
            exported = result.phases.get(phase)
            if exported and not exported.error and exported.counts["written"] != 5641:
                wrong.append(f"run {number}: {phase} wrote {exported.counts['written']}, not 5641")
        again = result.phases.get("no-change export")
        if again and not again.error and again.counts["written"] != 0:
            wrong.append(f"run {number}: no-change export wrote {again.counts['written']}")
    return wrong


def report(rounds: list[Round], corpus_mb: float, extract_s: float, python_s: float) -> int:
    print()
    print("=" * 78)
    print("newsvault import/export benchmark (issue 2)")
    print("=" * 78)
    print(f"corpus        {EXPECTED['files']} posts, {corpus_mb:.1f} MB, extracted in "
          f"{extract_s:.1f} s")
    print(f"machine       {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, SQLite "
          f"{sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.2f}")
    for number, result in enumerate(rounds, start=1):
        print(f"--- run {number} " + "-" * 66)
        for phase, measured in result.phases.items():
            if measured.error:
                print(f"{phase:<26} FAILED: {measured.error}")
                continue
            print(f"{phase:<26}{measured.seconds:8.3f} s   peak RSS {measured.rss_mb:4.0f} MB   "
                  f"process: wall {measured.wall_s:5.2f} s, CPU {measured.cpu_s:5.2f} s   "
                  f"{_counts(measured.counts)}")
        print(f"  export floor: plain create+write+rename, before {result.floor_before_s:5.2f} s, "
              f"after {result.floor_after_s:5.2f} s")
        print(f"  `newsvault export jekyll`, nothing changed (command)      "
              f"{result.command_s:6.2f} s   (`python -c pass`: {python_s:.2f} s)")
        _print_clean_floor(result)
    complete = [result for result in rounds
                if len(result.phases) == len(TARGETS)
                and not any(measured.error for measured in result.phases.values())]
    if complete:
        print(f"--- summary: median of {len(complete)} run(s) " + "-" * 40)
        for phase, target in TARGETS.items():
            times = [result.phases[phase].seconds for result in complete]
            rss = max(result.phases[phase].rss_mb for result in complete)
            median = statistics.median(times)
            print(f"{phase:<26}{median:8.3f} s   target <= {target} s: "
                  f"{'met' if median <= target else 'NOT met'}   (runs: "
                  f"{', '.join(f'{t:.3f}' for t in times)}; peak RSS max {rss:.0f} MB)")
        floors = [floor for result in complete
                  for floor in (result.floor_before_s, result.floor_after_s)]
        print(f"{'export floor':<26}{statistics.median(floors):8.3f} s   (before, after each "
              f"export: {', '.join(f'{t:.2f}' for t in floors)})")
    print("=" * 78)
    wrong = check(rounds)
    for problem in wrong:
        print(f"WRONG: {problem}")
    print("RESULT: " + ("FAILED (see above)" if wrong else f"counts correct in {len(rounds)} run(s)"))
    return 1 if wrong else 0


def _print_clean_floor(result: Round) -> None:
    floor = result.clean_floor
    if not floor:
        print("  cleaning floor: FAILED")
        return
    cores = os.cpu_count() or 1
    stored = result.phases.get("export, clean HTML stored")
    stored_s = stored.seconds if stored else 0.0
    least = (floor["nh3_defaults_cpu_s"] + stored_s) / cores
    print(f"  cleaning, one core, {floor['articles']} articles, {floor['html_mb']:.1f} MB of HTML:"
          f" nh3 with its defaults {floor['nh3_defaults_cpu_s']:.2f} s CPU, newsvault's"
          f" sanitizer {floor['sanitizer_cpu_s']:.2f} s CPU")
    print(f"  least a first export cleaning with nh3 can take, every core busy throughout:"
          f" (nh3's {floor['nh3_defaults_cpu_s']:.2f} s + the export with clean HTML stored,"
          f" {stored_s:.2f} s) / {cores} cores = {least:.2f} s")
    imported = result.phases.get("import")
    if imported:  # the other place the cleaning could go: the import, on its idle core
        both = (imported.cpu_s + floor["sanitizer_cpu_s"]) / cores
        print(f"  least an import that also cleaned could take: (the import's CPU"
              f" {imported.cpu_s:.2f} s + the sanitizer's {floor['sanitizer_cpu_s']:.2f} s)"
              f" / {cores} cores = {both:.2f} s (import target: <= 5 s)")


def _counts(counts: dict) -> str:
    return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items())


def extract_corpus(workdir: Path) -> tuple[Path, float, float]:
    started = time.perf_counter()
    with tarfile.open(require_corpus(), "r:xz") as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(workdir / "corpus", filter="data")
        else:  # Python before 3.11.4
            archive.extractall(workdir / "corpus")
    [posts] = {path.parent for path in (workdir / "corpus").rglob("*.md")}
    size = sum(path.stat().st_size for path in posts.iterdir())
    return posts, size / MB, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", metavar="DIR", help="cProfile every phase into DIR/*.prof")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    # one phase, run by the benchmark in a process of its own
    parser.add_argument("--phase", choices=("import", "export", "export-raw", "clean-floor"),
                        help=argparse.SUPPRESS)
    for name in ("--archive", "--posts", "--out", "--report", "--profile-file"):
        parser.add_argument(name, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        run_phase(args.phase, args.archive, args.posts, args.out, args.report, args.profile_file)
        return 0
    require_corpus()  # a clear message before anything starts
    profile_dir = Path(args.profile) if args.profile else None
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="newsvault-import-export-bench-"))
    try:
        posts, corpus_mb, extract_s = extract_corpus(workdir)
        python_s = command_wall([sys.executable, "-c", "pass"])
        rounds = [one_round(number, posts, workdir, profile_dir)
                  for number in range(1, args.runs + 1)]
    finally:
        if args.keep:
            print(f"bench: work folder kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if profile_dir:
        print(f"bench: profiles in {profile_dir} (python -m pstats FILE)")
    return report(rounds, corpus_mb, extract_s, python_s)


if __name__ == "__main__":
    sys.exit(main())
