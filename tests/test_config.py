"""newsvault.toml: what newsvault writes into it reads back, and what it reads is checked."""

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from newsvault.config import (_KEYS, DEFAULT_SOURCES, clean_name, feed_url_as_http, name_problem,
                              new_config_text, settings_from_dict, text_problem, tidy_tags,
                              toml_string, url_problem)
from newsvault.errors import ConfigError

# every character a str can hold in a file: all but lone surrogates
any_text = st.text(st.characters(blacklist_categories=("Cs",)))


@given(any_text)
def test_a_written_string_reads_back_the_same(value):
    assert tomllib.loads(f"key = {toml_string(value)}")["key"] == value


def test_del_and_other_control_characters_are_escaped():
    assert toml_string("a\x7fb\x00c\x1fd\te") == '"a\\u007fb\\u0000c\\u001fd\\te"'


def test_names_from_feeds_lose_control_characters_and_line_breaks():
    assert clean_name("Odd\x7fname") == "Oddname"
    assert clean_name("  Two\r\nlines\u2028and\ttabs\x00 ") == "Two lines and tabs"
    assert clean_name("\x01\x7f") == ""
    assert clean_name("联合早报 (中国)") == "联合早报 (中国)"


def test_what_is_wrong_with_a_typed_name():
    assert name_problem("联合早报") is None
    assert name_problem(" ") == "is empty"
    assert name_problem("a\x7fb") == "contains a control character (U+007F)"
    assert name_problem("a\nb") == "contains a line break (U+000A)"
    assert text_problem("\udcff") == "is not UTF-8 text"  # a command line byte that was not UTF-8
    assert text_problem("emoji 👩‍💻 and RTL \u200f are text") is None


# -- keys newsvault does not know --------------------------------------------------------

@pytest.mark.parametrize("toml, message", [
    ('[[source]]\nname = "甲"\nurl = "https://a.example/feed"',
     "unknown table [[source]]; did you mean [[sources]]?"),
    ('[[sources]]\nname = "甲"\nurl = "https://a.example/feed"\ntag = ["x"]',
     "the source '甲': unknown key `sources #1.tag`; did you mean `sources #1.tags`?"),
    ('[[sources]]\nname = "甲"\nurl = "https://a.example/feed"\nfull_txt = "never"',
     "unknown key `sources #1.full_txt`; did you mean `sources #1.full_text`?"),
    ("[fetch]\nconcurency = 1", "unknown key `fetch.concurency`; did you mean `fetch.concurrency`?"),
    ("[biuld]\nenabled = false", "unknown table [biuld]; did you mean [build]?"),
    ("[export.jekyll]\nouts = 'x'", "unknown key `export.jekyll.outs`; did you mean `export.jekyll.out`?"),
    ("[export.hugo]", "unknown table [export.hugo]; [export] takes [export.jekyll]"),
    ("[build]\nzzz = 1", "unknown key `build.zzz`; [build] takes `enabled`, `out`"),
    ("[media]\nper_host = 1", "unknown key `media.per_host`; it belongs in [fetch]"),
    ("warc = true", "`warc` belongs in the [fetch] table (`fetch.warc`), not at the top of the file"),
    ('title = "x"', "`title` belongs in the [site] table (`site.title`), not at the top"),
])
def test_an_unknown_key_or_table_is_an_error_that_names_it(toml, message):
    with pytest.raises(ConfigError) as error:
        settings_from_dict(tomllib.loads(toml), origin="news/newsvault.toml")
    assert str(error.value).startswith("news/newsvault.toml: ")
    assert message in str(error.value)


@pytest.mark.parametrize("toml, message", [
    ("[fetch]\ntotal_timeout = -5", "`fetch.total_timeout` must be more than 0 seconds, not -5"),
    ("[fetch]\nconnect_timeout = 0", "`fetch.connect_timeout` must be more than 0 seconds"),
    ("[fetch]\nread_timeout = nan", "`fetch.read_timeout` must be more than 0 seconds, not nan"),
    ("[fetch]\nbackoff = -1", "`fetch.backoff` must be 0 or more seconds, not -1"),
    ("[fetch]\nretries = -3", "`fetch.retries` must be 0 or more, not -3"),
    ("[fetch]\nmax_redirects = -1", "`fetch.max_redirects` must be 0 or more, not -1"),
    ("[fetch]\nmax_body_mb = 0", "`fetch.max_body_mb` must be more than 0, not 0"),
    ('[fetch]\nuser_agent = "a\\nb"', "`fetch.user_agent` must be printable text on one line"),
    ('[fetch]\nuser_agent = " "', "`fetch.user_agent` must be printable text on one line"),
])
def test_a_fetch_value_that_would_fail_every_source_is_an_error_that_names_it(toml, message):
    """Every source would fail on every run (exit 0): a negative timeout times out at once,
    a line break in the User-Agent is refused by the HTTP client."""
    with pytest.raises(ConfigError) as error:
        settings_from_dict(tomllib.loads(toml), origin="news/newsvault.toml")
    assert message in str(error.value)


def test_fetch_values_that_work_are_taken():
    toml = "[fetch]\nbackoff = 0\nretries = 0\nmax_redirects = 0\ntotal_timeout = 0.5"
    settings = settings_from_dict(tomllib.loads(toml), origin="x").fetch
    assert (settings.backoff, settings.retries, settings.max_redirects) == (0, 0, 0)
    assert settings.total_timeout == 0.5


def _uncommented(text: str) -> str:
    """``text`` with its commented-out settings (``# key = value``) set."""
    return re.sub(r"(?m)^# ?([a-z_]+ +=)", r"\1", text)


def _leaf_keys(data: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = value[0]
        if isinstance(value, dict):
            keys |= _leaf_keys(value, f"{prefix}{key}.")
        else:
            keys.add(prefix + key)
    return keys


def readme_config() -> dict:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## newsvault.toml"):]
    return tomllib.loads(_uncommented(section.split("```toml\n", 1)[1].split("```", 1)[0]))


def test_every_key_the_readme_documents_is_read_and_no_other():
    data = readme_config()
    settings_from_dict(data)
    accepted = {f"{table}.{key}" if table else key for table, keys in _KEYS.items()
                for key in keys if (f"{table}.{key}" if table else key) not in _KEYS}
    assert _leaf_keys(data) == accepted


def test_the_file_init_writes_loads_with_its_commented_settings_set_too():
    text = new_config_text("news", "Asia/Shanghai", DEFAULT_SOURCES)
    assert settings_from_dict(tomllib.loads(text)).sources == DEFAULT_SOURCES
    settings_from_dict(tomllib.loads(_uncommented(text)))


@pytest.mark.parametrize("dotted", sorted(_leaf_keys(readme_config())))
def test_every_accepted_key_is_read(dotted):
    """A wrong value of each accepted key is an error naming it: the key is read, not
    merely let through."""
    data = readme_config()
    *tables, key = dotted.split(".")
    table = data
    for name in tables:
        table = table[name][0] if name == "sources" else table[name]
    table[key] = {"wrong": "type"}
    with pytest.raises(ConfigError, match=rf"\.{key}` must be"):
        settings_from_dict(data)


# -- values of a source -----------------------------------------------------------------

@pytest.mark.parametrize("url, problem", [
    ("http://127.0.0.1/feed2.xml ", "has white space around it; remove it"),
    (" https://a.example/feed", "has white space around it; remove it"),
    ("https://a.example/\nfeed", "contains a line break (U+000A); remove it"),
    ("a.example/feed", "is not a whole URL; write it with http:// or https:// and the host name"),
    ("localhost:8080/feed", "is not a whole URL; write it with http://"),
    ("/feed.xml", "is not a whole URL"),
    ("ftp://a.example/feed", "uses ftp:, and newsvault fetches feeds over http:// and https:// only"),
    ("javascript:alert(1)", "uses javascript:, and newsvault fetches feeds over http://"),
    ("file:///etc/passwd", "uses file:"),
    ("feed://a.example/rss", "is a feed: URL; write it as http://a.example/rss, as feed readers"),
    ("http:///feed.xml", "has no host name"),
    ("http://[::1/feed", "is no URL (Invalid IPv6 URL); check its brackets"),  # no traceback
    ("http://a.example:99999/feed", "has a port that is no number from 0 to 65535"),
    ("http://a.example:rss/feed", "has a port that is no number"),
    ("http://exa mple.com/feed", "has white space in its host name"),
    ("https://a.example/feed\u200b", "contains an invisible character (U+200B); remove it"),
    ("https://a.example/\u202efeed", "contains an invisible character (U+202E)"),
    ("https://a.example/\u3000feed", "contains an invisible character (U+3000)"),
])
def test_what_is_wrong_with_a_feed_url(url, problem):
    assert url_problem(url).startswith(problem)


@pytest.mark.parametrize("url", ["https://a.example/feed", "HTTP://127.0.0.1:8080/f?a=1",
                                 "https://例子.测试/订阅", "http://[::1]:8080/feed"])
def test_a_feed_url(url):
    assert url_problem(url) is None


def test_feed_urls_are_taken_for_http_as_feed_readers_do():
    assert feed_url_as_http("feed://a.example/rss") == "http://a.example/rss"
    assert feed_url_as_http("FEED:https://a.example/rss") == "https://a.example/rss"
    assert feed_url_as_http("https://a.example/feed") == "https://a.example/feed"


def test_tags_are_stripped_without_empty_ones_repeats_or_the_source_name():
    assert tidy_tags([" 新闻 ", "", "  ", "新闻", "甲", "Tech", "tech"], "甲") == \
        ["新闻", "Tech", "tech"]


def read_source(**keys):
    entry = {"name": "甲", "url": "https://a.example/feed", **keys}
    [source] = settings_from_dict({"sources": [{"name": "乙", "url": "https://b.example/"},
                                               entry]}, origin="news/newsvault.toml").sources[1:]
    return source


@pytest.mark.parametrize("keys, message", [
    ({"name": " "}, "`sources #2.name` ' ' is empty; a source's name is printable text on one line"),
    ({"name": "a\x7fb"}, "`sources #2.name` 'a\\x7fb' contains a control character (U+007F)"),
    ({"name": "两\n行"}, "`sources #2.name` '两\\n行' contains a line break (U+000A)"),
    ({"url": "http://127.0.0.1/feed2.xml "},
     "the source '甲': `sources #2.url` 'http://127.0.0.1/feed2.xml ' has white space around it"),
    ({"url": "a.example/feed"}, "the source '甲': `sources #2.url` 'a.example/feed' is not a whole"),
    ({"url": "ftp://a.example/feed"}, "the source '甲': `sources #2.url` 'ftp://a.example/feed' uses"),
    ({"url": "feed://a.example/rss"}, "write it as http://a.example/rss"),
    ({"url": "javascript:alert(1)"}, "`sources #2.url` 'javascript:alert(1)' uses javascript:"),
    ({"tags": ["新闻", "x\ty"]}, "the source '甲': `sources #2.tags`: 'x\\ty' contains a control"),
    ({"tags": [["nested"]]}, "`sources #2.tags` must be a list of strings"),
])
def test_a_wrong_source_value_names_the_source_and_the_key(keys, message):
    with pytest.raises(ConfigError) as error:
        read_source(**keys)
    assert str(error.value).startswith("news/newsvault.toml: ")
    assert message in str(error.value)


def test_tags_read_from_the_file_are_tidied():
    assert read_source(tags=[" 新闻 ", "", "新闻", "甲", 2022]).tags == ["新闻", "2022"]
