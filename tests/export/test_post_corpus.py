"""The 5,685 posts the old system wrote: each parses, and renders back byte for byte.

Needs ../shared/corpus/oped2-posts.tar.xz next to the repository (see conftest.py); skipped
when absent. Nothing from the corpus is copied into the repository.
"""

from collections import Counter

import pytest
import yaml

from newsvault.export.filenames import is_safe_filename, post_filename, unsafe_reason
from newsvault.export.post import parse_post, render_post

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

pytestmark = pytest.mark.corpus


def test_every_post_parses_and_renders_back_byte_for_byte(corpus_files):
    failed: list[tuple[str, str]] = []
    differs: list[str] = []
    nan = verbatim = escaped = 0
    for path in corpus_files:
        text = path.read_bytes().decode("utf-8")
        try:
            post = parse_post(text)
        except Exception as error:  # listed, not raised: the count is the point
            failed.append((path.name, f"{type(error).__name__}: {error}"))
            continue
        verbatim += post.verbatim
        if post.comment_ms is None and not post.verbatim:  # <!--NaN-->: the caller sets a time
            nan += 1
            post.comment_ms = 1234
            text = text.replace("<!--NaN-->", "<!--1234-->", 1)
        if "{{bbox}}" in text:  # the one post Liquid would change: its "{" is written &#123;
            text = text.replace("{{bbox}}", "&#123;{bbox}}")
            escaped += 1
        if render_post(post) != text:
            differs.append(path.name)
    assert not failed, f"{len(failed)} posts did not parse: {failed[:10]}"
    assert not differs, f"{len(differs)} posts render differently: {differs[:10]}"
    assert nan == 157
    assert escaped == 1
    assert verbatim == 5685 - 734  # the seed-layout posts read as such, 3 of them aside


def test_every_rendered_front_matter_loads_as_yaml_with_the_parsed_values(corpus_files):
    wrong: list[tuple[str, str]] = []
    for path in corpus_files:
        post = parse_post(path.read_bytes().decode("utf-8"))
        post.comment_ms = 0
        text = render_post(post)
        try:
            loaded = yaml.load(text[4:text.index("\n---\n", 3)], Loader=LOADER)
        except yaml.YAMLError as error:
            wrong.append((path.name, str(error).replace("\n", " ")))
            continue
        got = (loaded["title"], loaded["author"], loaded["from"], loaded["tags"],
               loaded["categories"])
        expected = (post.title, post.author.strip(" "), post.url, post.tags, post.categories)
        if got != expected:
            wrong.append((path.name, f"{got!r} != {expected!r}"))
    assert not wrong, f"{len(wrong)} front matters: {wrong[:5]}"


def test_names_for_every_title_are_safe_and_unique(corpus_files):
    taken: set[str] = set()
    for path in corpus_files:
        post = parse_post(path.read_bytes().decode("utf-8"))
        name = post_filename(post.date_text[:10], post.title, taken)
        assert is_safe_filename(name), name
        assert len(name.encode("utf-8")) <= 255
    assert len({name.casefold() for name in taken}) == len(corpus_files)


def test_only_the_old_names_that_break_on_some_system_are_unsafe(corpus_files):
    reasons = Counter(unsafe_reason(path.name) for path in corpus_files)
    assert reasons.pop(None) == 5685 - 113
    assert reasons == {
        "':' is not allowed in a file name on Windows": 43,
        "'?' is not allowed in a file name on Windows": 42,
        "'|' is not allowed in a file name on Windows": 15,
        "'*' is not allowed in a file name on Windows": 11,
        "a control character in the name": 2,
    }
    # harmless, so kept: "...." before the extension, a space before ".md"
    odd = [path.name for path in corpus_files if path.name.endswith((" .md", "..md"))]
    assert len(odd) == 28
    assert sum(map(is_safe_filename, odd)) == 26  # the other two hold a ':' or a '?'
