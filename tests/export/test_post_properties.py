"""Hostile values: the front matter stays valid YAML that loads back as the cleaned values,
parse_post gives the same Post back, and post file names are always safe and unique."""

import unicodedata
from datetime import datetime, timedelta, timezone

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsvault.export import frontmatter as fm
from newsvault.export.filenames import TakenNames, is_safe_filename, post_filename
from newsvault.slugs import post_slug
from newsvault.export.post import Post, join_html, liquid_safe, parse_post, render_post

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])

HOSTILE = [
    '"', "'", ":", ": ", " #", "#", "[", "]", "{", "}", ",", "/", "\\", "../", "..", "- ",
    "-", "? ", "&a", "*a", "!tag ", "|", ">", "%", "@x", "`", "true", "null", "~", "123",
    "0x1F", "1e3", ".5", "=", "<<", "yes", "2022-01-27", "\n", "\r\n", "\r", "\t", "\x00",
    "\x08", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff",
    "\ud800", "\udfff", "\U0001f600", "\u200d", "\u202e", "\xa0", "\u3000", " ", "  ", "---",
    "...", "<!--1-->", "](", "\\u2028", '\\"', "&#38;", "CON", "nul.", "é", "e\u0301", "ß",
    "İ", "联合早报",
]

pieces = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=6)), max_size=10)
hostile_text = st.one_of(
    pieces.map("".join),
    st.text(max_size=40),
    st.tuples(pieces, st.integers(30, 120)).map(lambda t: ("".join(t[0]) * t[1])[:330]),  # long
)
dates = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                     timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=1))]))
date_texts = st.one_of(
    dates.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"),
    dates.map(lambda d: d.replace(microsecond=0).isoformat()),
    dates.map(lambda d: d.strftime("%Y-%m-%d")),
    dates.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    hostile_text,
)
extras = st.lists(st.tuples(
    st.sampled_from(["comments", "image", "x-y", "日期", "sticky", "a b"]),
    st.one_of(st.sampled_from(["True", "false", "3", "[ a, b ]", '"q"', ""]), hostile_text),
), max_size=3)


@st.composite
def posts(draw) -> Post:
    verbatim = draw(st.booleans())
    return Post(
        title=draw(hostile_text), date_text=draw(date_texts), author=draw(hostile_text),
        url=draw(st.one_of(hostile_text, st.just("https://example.org/a?b=1#c"))),
        tags=draw(st.lists(hostile_text, max_size=3)),
        categories=draw(st.lists(hostile_text, max_size=3)),
        html=draw(hostile_text), comment_ms=draw(st.integers(0, 2**53)),
        extra=draw(extras), verbatim=verbatim,
    )


def yaml_view(value: str) -> str:
    """What YAML gives for a cleaned block value: spaces around a plain value are layout."""
    written = fm.scalar(value)
    return value.strip(" ") if written == value else value


PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(posts())
def test_front_matter_is_yaml_that_loads_the_cleaned_values(post):
    text = render_post(post)
    front = text[4:text.index("\n---\n", 3)]
    for loader in LOADERS:
        loaded = yaml.load(front, Loader=loader)
        assert loaded["layout"] == "post"
        assert loaded["title"] == fm.clean_title(post.title)
        assert loaded["author"] == yaml_view(fm.clean(post.author))
        assert loaded["from"] == yaml_view(fm.clean(post.url))
        assert loaded["tags"] == [fm.clean(tag) for tag in post.tags]
        assert loaded["categories"] == [fm.clean(category) for category in post.categories]
        date = loaded["date"]
        if isinstance(date, str):
            assert date == yaml_view(fm.clean(post.date_text))
        else:
            assert yaml.load(f"d: {fm.clean(post.date_text)}", Loader=loader)["d"] == date
        kept = {name for name, _ in post.extra if fm.is_plain_key(name)}
        assert set(loaded) == {"layout", "title", "date", "author", "from", "tags",
                               "categories"} | kept


@PROPS
@given(posts())
def test_parse_gives_back_the_cleaned_post(post):
    assume(fm.clean_title(post.title).strip() or fm.clean(post.url).strip())  # else not a post
    text = render_post(post)
    parsed = parse_post(text)
    assert render_post(parsed) == text
    assert parsed.title == fm.clean_title(post.title)
    assert parsed.date_text == fm.clean(post.date_text)
    assert parsed.author == fm.clean(post.author)
    assert parsed.url == fm.clean(post.url)
    assert parsed.tags == [fm.clean(tag) for tag in post.tags]
    assert parsed.categories == [fm.clean(category) for category in post.categories]
    assert [name for name, _ in parsed.extra] == [
        name for name, _ in post.extra if fm.is_plain_key(name)]
    # the body comes back as written: Liquid-safe ("{{" is "&#123;{", the same HTML)
    if not post.verbatim:
        assert (parsed.verbatim, parsed.comment_ms, parsed.html) == (
            False, post.comment_ms, liquid_safe(join_html(post.html)))
    elif not post.html.startswith("<!--"):
        assert (parsed.verbatim, parsed.html) == (True, liquid_safe(post.html))


@PROPS
@given(st.lists(st.tuples(dates, hostile_text), min_size=1, max_size=30),
       st.sets(st.sampled_from(["2022-01-27-a.md", "2022-01-27-A-2.md", "x.md"])))
def test_post_filenames_are_safe_short_and_unique(titles, already):
    taken = set(already)
    made = []
    for moment, title in titles:
        day = moment.strftime("%Y-%m-%d")
        name = post_filename(day, title, taken)
        made.append(name)
        assert is_safe_filename(name), name
        assert len(name.encode("utf-8")) <= 255
        assert name.startswith(day + "-") and name.endswith(".md")
        assert post_slug(name)  # Jekyll's URL of it is no bare ".html"
        assert name in taken
    folded = [unicodedata.normalize("NFC", name).casefold() for name in taken]
    assert len(set(folded)) == len(folded) == len(made) + len(already)


@PROPS
@given(st.lists(st.tuples(st.sampled_from(["2022-01-27", "2022-01-28"]), hostile_text),
                min_size=1, max_size=30))
def test_new_post_names_never_share_a_jekyll_url(titles):
    """Jekyll's permalink is the post's day and the slug of its name: "a?b", "a b", "A-B"
    on one day would be one URL, and Jekyll would write one post of them, losing the rest."""
    taken = TakenNames(["2022-01-27-a b.md"])
    urls = {("2022-01-27", post_slug("2022-01-27-a b.md"))}
    for day, title in titles:
        name = post_filename(day, title, taken)
        url = (day, post_slug(name))
        assert url not in urls, name
        urls.add(url)


def test_titles_that_differ_only_in_punctuation_get_names_of_their_own():
    taken = TakenNames()
    names = [post_filename("2022-01-27", title, taken) for title in ("a?b", "a b", "A-B", "a：b")]
    assert names == ["2022-01-27-a？b.md", "2022-01-27-a b-2.md", "2022-01-27-A-B-3.md",
                     "2022-01-27-a：b-4.md"]
    assert post_filename("2022-01-28", "a b", taken) == "2022-01-28-a b.md"  # another day


def test_a_title_of_no_letter_or_digit_gets_a_name_jekyll_makes_a_url_of():
    taken = TakenNames()
    names = [post_filename("2022-02-11", title, taken) for title in ("🔥🔥🔥", "？", "🔥" * 50)]
    assert names == ["2022-02-11-🔥🔥🔥 untitled.md", "2022-02-11-？ untitled-2.md",
                     "2022-02-11-" + "🔥" * 41 + " untitled-3.md"]


@PROPS
@given(hostile_text)
def test_post_filename_cuts_the_title_to_50_characters(title):
    name = post_filename("2022-01-27", title, set())
    assert len(name) - len("2022-01-27-.md") <= 50
    assert is_safe_filename(name)


_TIMESTAMP_PATTERN = next(regexp for tag, regexp in yaml.SafeLoader.yaml_implicit_resolvers["2"]
                          if tag == "tag:yaml.org,2002:timestamp")


@PROPS
@given(st.one_of(st.from_regex(_TIMESTAMP_PATTERN, fullmatch=True),
                 date_texts.filter(_TIMESTAMP_PATTERN.match)))
def test_a_date_stays_plain_exactly_when_yaml_can_build_it(value):
    try:
        yaml.constructor.SafeConstructor().construct_yaml_timestamp(
            yaml.ScalarNode("tag:yaml.org,2002:timestamp", value))
        builds = True
    except (ValueError, OverflowError, TypeError):
        builds = False
    assert fm._timestamp_loads(value) == builds
