"""A small archive made for the site tests: our own made-up articles, never corpus text."""

from dataclasses import dataclass
from pathlib import Path

from newsvault.archive import Archive, open_archive
from newsvault.scaffold import create_archive
from newsvault.model import Entry, Source
from newsvault.store import ArchivedArticle, ArchivedVersion
from newsvault.store.records import FetchRecord, FetchResult

DAY_MS = 86_400_000
START_MS = 1_640_995_200_000  # 2022-01-01T00:00:00Z
WINTER_GAMES_TITLE = "北京冬奥会开幕式今晚举行"


@dataclass
class FixtureArchive:
    archive: Archive
    sources: dict[str, int]  # name → id
    count: int = 0

    @property
    def site(self) -> Path:
        return self.archive.root / "site"

    def add(self, source: str, title: str, body: str, published_ms: int, url: str | None = None,
            versions: int = 1) -> None:
        self.count += 1
        url = url or f"https://news.example/{self.count}"
        history = [ArchivedVersion(published_ms + n, f"{title}（旧稿 {n}）", f"<p>旧稿 {n}</p>")
                   for n in range(versions - 1)]
        self.archive.store.import_articles([ArchivedArticle(
            source_id=self.sources[source], url=url, author=f"记者{self.count % 3}",
            published_ms=published_ms, first_seen_ms=published_ms + 60_000, tags=[],
            versions=[*history, ArchivedVersion(published_ms + versions, title, body)],
        )])


    def fetch_again(self, source: str, url: str, title: str, body: str, published_ms: int
                    ) -> None:
        """The source's feed carries the article at ``url`` again, edited."""
        feed = Source(source, f"https://{source}.example/feed", id=self.sources[source])
        entry = Entry(title=title, url=url, content_html=body, published_ms=published_ms)
        [result] = self.archive.store.save_fetches(
            [FetchResult(feed, [entry], FetchRecord(published_ms, published_ms, "ok", 200))])
        assert not isinstance(result, Exception), result


def make_archive(root: Path, per_source: dict[str, int]) -> FixtureArchive:
    """``per_source``: how many articles each source gets, one a day from 2022-01-01."""
    create_archive(root, title="测试站", empty=True, github_actions=False)
    archive = open_archive(root)
    sources = {name: archive.store.ensure_source(name, f"https://{n}.example/feed", 0)
               for n, name in enumerate(per_source)}
    made = FixtureArchive(archive, sources)
    for offset, (name, count) in enumerate(per_source.items()):
        for day in range(count):
            made.add(name, f"{name}的第{day + 1}篇报道", _body(name, day),
                     START_MS + day * DAY_MS + offset * 3_600_000)
    return made


def _body(source: str, day: int) -> str:
    return (f"<p>这是{source}第{day + 1}天的测试稿件，内容是虚构的。</p>"
            f"<p>Paragraph {day} with <a href=\"https://news.example/{day}\">a link</a>.</p>")


def small_archive_in(root: Path) -> FixtureArchive:
    """132 articles: 晨报 121 (one of them 冬奥, revised twice), Evening Post 7, 周刊 4
    (one of them broken HTML)."""
    made = make_archive(root, {"晨报": 120, "Evening Post": 7, "周刊": 3})
    made.add("晨报", WINTER_GAMES_TITLE, "<p>冬奥会开幕式在国家体育场举行（虚构测试稿）。</p>",
             START_MS + 130 * DAY_MS, versions=3)
    made.add("周刊", "一篇坏掉的稿件", "<div><table><tr><td>没有闭合的表格 <b>粗体",
             START_MS + 4 * DAY_MS + 7_200_000)
    return made
