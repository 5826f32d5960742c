import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "parse_bench.py"


def test_parse_bench_runs_at_a_tiny_scale():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--feeds-scale", "0.01", "--repeat", "1", "--no-corpus",
         "--no-feedparser"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "strict, all formats" in done.stdout and "lenient" in done.stdout
    assert "items/s" in done.stdout
