"""Golden test: the seed post, fetched from a feed and exported, comes out byte for byte.

The seed (``../shared/reference/seed-post-zaobao-2022-01-27.md``, beside the repository)
is read at test time; none of its text is stored here. Its item is served as RSS with
``pubDate: Thu, 27 Jan 2022 13:00:00 GMT`` by a source named 联合早报, and the clock is
fixed at the seed's ``date:`` (when the old system first saw the item, hours before
that future pubDate).
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support.cli import FAST_FETCH, SEED_NOW, ArchiveDir

from newsvault.content.sanitize import clean_html

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "reference" / "seed-post-zaobao-2022-01-27.md"
SOURCE = "联合早报"

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"{SEED} is not there")


@dataclass
class Seed:
    data: bytes
    title: str
    link: str
    date: str
    content: str  # the article HTML line between <div> and </div>

    @property
    def file_name(self) -> str:
        return f"{self.date[:10]}-{self.title}.md"  # the old system's YYYY-MM-DD-<title>.md


def read_seed() -> Seed:
    data = SEED.read_bytes()
    text = data.decode("utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    head, div, rest = body.partition("\n------\n\n<div>\n")
    assert div and rest.endswith("\n</div>\n"), "the seed is not in the seed layout"
    content = rest[: -len("\n</div>\n")]
    assert "\n" not in content and "]]>" not in content
    return Seed(data, meta["title"], meta["from"], meta["date"].strftime("%Y-%m-%d"), content)


def seed_feed(seed: Seed, fixture_bytes, feed_url: str) -> bytes:
    template = fixture_bytes("golden-seed.xml").decode("utf-8")
    return (template.replace("{feed_url}", feed_url).replace("{title}", seed.title)
            .replace("{link}", seed.link).replace("{content}", seed.content).encode("utf-8"))


def serve_seed(feed_server, fixture_bytes, archive) -> Seed:
    """Serve the seed's item, and add its source 联合早报 with ``newsvault add --name``."""
    seed = read_seed()
    url = feed_server.url("/zaobao/realtime/china")
    feed_server.route("/zaobao/realtime/china", body=seed_feed(seed, fixture_bytes, url),
                      headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    archive.cli("add", url, "--name", SOURCE, check=0)  # fetches it once to check it is a feed
    return seed


def test_fetch_then_raw_export_writes_the_seed_byte_for_byte(archive, feed_server,
                                                            fixture_bytes, tmp_path):
    seed = serve_seed(feed_server, fixture_bytes, archive)
    archive.cli("fetch", now=SEED_NOW, check=0)
    out = tmp_path / "exported"
    archive.cli("export", "jekyll", "--raw", "--out", str(out), now=SEED_NOW, check=0)
    written = sorted(path.name for path in out.iterdir())
    assert written == [seed.file_name]
    assert (out / seed.file_name).read_bytes() == seed.data


def test_run_fetches_and_writes_the_configured_raw_export(feed_server, fixture_bytes, tmp_path):
    news = ArchiveDir.create(tmp_path / "news", fetch=FAST_FETCH,  # as `init` sets it up
                             export_jekyll={"raw": True})
    seed = serve_seed(feed_server, fixture_bytes, news)
    first = news.cli("run", now=SEED_NOW, check=0)
    assert "jekyll: 1 post written" in first.stdout
    posts = news.root / "_posts"
    assert sorted(path.name for path in posts.iterdir()) == [seed.file_name]
    assert (posts / seed.file_name).read_bytes() == seed.data
    assert (news.root / "site" / "index.html").is_file()  # the other configured export
    again = news.cli("run", now=SEED_NOW, check=0)  # nothing changed: nothing written
    assert "jekyll: 0 posts written" in again.stdout
    assert (posts / seed.file_name).read_bytes() == seed.data


def test_the_default_export_is_the_seed_with_its_html_cleaned(archive, feed_server,
                                                              fixture_bytes, tmp_path):
    seed = serve_seed(feed_server, fixture_bytes, archive)
    archive.cli("fetch", now=SEED_NOW, check=0)
    out = tmp_path / "exported"
    archive.cli("export", "jekyll", "--out", str(out), now=SEED_NOW, check=0)
    data = (out / seed.file_name).read_bytes()
    expected = seed.data.replace(seed.content.encode(),
                                 clean_html(seed.content, seed.link).encode())
    assert data == expected and data != seed.data
    assert b' id="' not in data and b' class="' not in data  # the ad slots' hooks, gone
