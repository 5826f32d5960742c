"""Every relative link and anchor in README.md and docs/*.md: a link's file must exist,
and its #anchor must be a heading of the file it names, by GitHub's rule (the heading's
text as rendered, lower-cased, punctuation removed, spaces made hyphens; a repeated slug
gets -1, -2…). Links in fenced code blocks and code spans are no links."""

import re
import unicodedata
from urllib.parse import unquote

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# [text](target) or ![alt](target), target optionally <...> and optionally "title"
LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+\"[^\"]*\")?\s*\)")


def prose_lines(text):
    """(line number, line) of the lines outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield number, line


def rendered(heading):
    """A heading's text as GitHub renders it (code spans, links and emphasis reduced to text)."""
    text = CODE_SPAN.sub(lambda m: m.group(2).strip(), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return text


def slug(text):
    text = rendered(text).strip().lower()
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in " -" or cat[0] in "LMN" or cat == "Pc":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, result = {}, set()
        for _, line in prose_lines(path.read_text(encoding="utf-8")):
            m = HEADING.match(line)
            if not m:
                continue
            base = slug(m.group(2))
            n = seen.get(base, 0)
            result.add(base if n == 0 else f"{base}-{n}")
            seen[base] = n + 1
        # explicit HTML anchors
        for m in re.finditer(r"<a\s+(?:name|id)=\"([^\"]+)\"", path.read_text(encoding="utf-8")):
            result.add(m.group(1))
        cache[path] = result
    return cache[path]


def paragraphs(text):
    """(first line number, text) of each paragraph outside fenced code blocks: a link or a
    code span may run over a line break, never over a blank line or a fence."""
    block, first, last = [], None, None
    for number, line in prose_lines(text):
        if not line.strip() or (last is not None and number != last + 1):
            if block:
                yield first, "\n".join(block)
            block, first = [], None
        if line.strip():
            if first is None:
                first = number
            block.append(line)
        last = number
    if block:
        yield first, "\n".join(block)


def links(path):
    for first, para in paragraphs(path.read_text(encoding="utf-8")):
        para = CODE_SPAN.sub(lambda m: "CODE" + "\n" * m.group(0).count("\n"), para)
        for m in LINK.finditer(para):
            yield first + para.count("\n", 0, m.start()), m.group(2).strip("<>")


def check(repo):
    files = [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]
    problems, count = [], 0
    for path in files:
        for number, target in links(path):
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
                continue  # http:, https:, mailto:…: not relative
            count += 1
            where = f"{path.relative_to(repo)}:{number}: ({target})"
            name, _, anchor = target.partition("#")
            dest = (path.parent / unquote(name)).resolve() if name else path
            if not dest.exists():
                problems.append(f"{where}: no such file {dest}")
                continue
            if anchor:
                if dest.is_dir() or dest.suffix.lower() not in (".md", ".markdown"):
                    problems.append(f"{where}: an anchor into a file that is not Markdown")
                elif unquote(anchor).lower() not in anchors(dest):
                    problems.append(f"{where}: no heading #{anchor} in {dest.relative_to(repo)}")
    return files, count, problems
