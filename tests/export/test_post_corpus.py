"""The 5,685 posts the old system wrote: each parses, and renders back byte for byte.

Needs ../shared/corpus/oped2-posts.tar.xz next to the repository; skipped when absent.
Nothing from the corpus is copied into the repository.
"""

import tarfile
from pathlib import Path

import pytest
import yaml

from newsvault.export.filenames import is_safe_filename, post_filename
from newsvault.export.post import parse_post, render_post

CORPUS = Path(__file__).resolve().parents[2].parent / "shared/corpus/oped2-posts.tar.xz"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory) -> list[Path]:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is not here")
    target = tmp_path_factory.mktemp("oped2-posts")
    with tarfile.open(CORPUS, "r:xz") as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(target, filter="data")
        else:  # Python before 3.11.4
            archive.extractall(target)
    files = sorted(path for path in target.rglob("*.md") if path.is_file())
    assert len(files) == 5685
    return files


def test_every_post_parses_and_renders_back_byte_for_byte(corpus_files):
    failed: list[tuple[str, str]] = []
    differs: list[str] = []
    nan = verbatim = 0
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
        if render_post(post) != text:
            differs.append(path.name)
    assert not failed, f"{len(failed)} posts did not parse: {failed[:10]}"
    assert not differs, f"{len(differs)} posts render differently: {differs[:10]}"
    assert nan == 157
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
    unsafe_legacy = 0
    for path in corpus_files:
        unsafe_legacy += not is_safe_filename(path.name)
        post = parse_post(path.read_bytes().decode("utf-8"))
        name = post_filename(post.date_text[:10], post.title, taken)
        assert is_safe_filename(name), name
        assert len(name.encode("utf-8")) <= 255
    assert len({name.casefold() for name in taken}) == len(corpus_files)
    # old names with : ? * | .. or a control character in them, or a space or dot before .md
    assert unsafe_legacy == 139
