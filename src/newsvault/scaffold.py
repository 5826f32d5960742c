"""``newsvault init``: a new archive folder."""

import json
import posixpath
import subprocess
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from newsvault.config import CONFIG_NAME, DEFAULT_SOURCES, load_settings, new_config_text
from newsvault.content.assets import MEDIA_DIR
from newsvault.errors import ConfigError

WORKFLOW_PATH = Path(".github/workflows/newsvault.yml")
GITIGNORE = ("newsvault.db\nnewsvault.db-wal\nnewsvault.db-shm\n.newsvault.lock\n"
             "# temporary files of a run killed half-way; the next run deletes them\n"
             ".newsvault-tmp/\n.newsvault-*.tmp\n")


@dataclass(slots=True)
class NewArchive:
    written: list[Path] = field(default_factory=list)
    # what the workflow installs newsvault from; None: not known, the user must say
    workflow_package: str | None = None
    # the git repository the archive is a subfolder of, where GitHub looks for workflows
    enclosing_repository: Path | None = None


def create_archive(root: Path, *, title: str, empty: bool, github_actions: bool) -> NewArchive:
    """Write the archive's files, or, with ``github_actions`` in an archive, its workflow.
    Never overwrites a newsvault.toml or a workflow."""
    config, workflow = root / CONFIG_NAME, root / WORKFLOW_PATH
    if github_actions and workflow.exists():
        raise ConfigError(f"{workflow} exists already; move it aside for newsvault to write"
                          " its own")
    if config.exists():
        if github_actions:  # an archive made without it: its workflow now
            return _with_workflow(root, NewArchive([]))
        raise ConfigError(f"{config} exists already; this folder is an archive (to give it"
                          " the hourly workflow: newsvault init --github-actions FOLDER)")
    root.mkdir(parents=True, exist_ok=True)
    config.write_text(
        new_config_text(title, "Asia/Shanghai", [] if empty else DEFAULT_SOURCES),
        encoding="utf-8",
    )
    created = NewArchive([config])
    if _ignore_in_git(root / ".gitignore"):
        created.written.append(root / ".gitignore")
    return _with_workflow(root, created) if github_actions else created


def _with_workflow(root: Path, created: "NewArchive") -> "NewArchive":
    created.workflow_package = installed_package()
    posts = load_settings(root / CONFIG_NAME).jekyll.out
    created.written.append(_write_workflow(root / WORKFLOW_PATH, created.workflow_package,
                                           posts))
    created.enclosing_repository = enclosing_repository(root)
    return created


def _inside(folder: str) -> bool:
    """Whether ``folder`` (of newsvault.toml) names a folder inside the archive's own."""
    path = PurePosixPath(folder.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts and str(path) != "."


def enclosing_repository(folder: Path) -> Path | None:
    """The work tree of the git repository ``folder`` lies in below its root, if any:
    GitHub runs only the workflows at a repository's root, and the workflow expects the
    archive there."""
    folder = folder.resolve()
    for parent in folder.parents:
        if (parent / ".git").exists():
            return parent
    return None


def _write_workflow(workflow: Path, package: str | None, posts: str) -> Path:
    template = resources.files("newsvault") / "templates" / "github-workflow.yml"
    text = template.read_text(encoding="utf-8")
    # a YAML double-quoted scalar takes a JSON string's escapes
    text = text.replace('"@package@"', json.dumps(package or ""))
    if _inside(posts):  # else the folder is outside the repository: nothing to commit
        images = posixpath.join(posixpath.dirname(posixpath.normpath(posts)), MEDIA_DIR)
        text = text.replace('POSTS: "_posts"', f"POSTS: {json.dumps(posts)}")
        text = text.replace('POST_IMAGES: "assets/media"', f"POST_IMAGES: {json.dumps(images)}")
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(text, encoding="utf-8")
    return workflow


def installed_package() -> str | None:
    """What ``pip install`` in a GitHub runner needs to get the newsvault running here: the
    git URL at the installed commit, the archive URL, or the version on the package index;
    None when it came from a folder of this machine that no public git remote names."""
    try:
        distribution = metadata.distribution("newsvault")
    except metadata.PackageNotFoundError:
        return None
    direct_url = distribution.read_text("direct_url.json")  # PEP 610; absent: from an index
    origin = json.loads(direct_url) if direct_url else None
    return package_spec(origin, distribution.version, _git_source)


def package_spec(origin: dict | None, version: str, git_source=None) -> str | None:
    """The pip requirement for an installation described by PEP 610's ``origin``.
    ``git_source(folder)``: (remote URL, commit) of a local git checkout, or None."""
    if origin is None:
        return f"newsvault=={version}"
    url = origin.get("url", "")
    vcs = origin.get("vcs_info")
    if vcs and vcs.get("vcs") == "git" and vcs.get("commit_id") and _public(url):
        return f"git+{_without_credentials(url)}@{vcs['commit_id']}" + _subdirectory(origin)
    if "archive_info" in origin and _public(url):
        return url
    if "dir_info" in origin and url.startswith("file://") and git_source:
        found = git_source(Path(urlsplit(url).path))
        if found and _public(found[0]):
            return f"git+{_without_credentials(found[0])}@{found[1]}"
    return None


def _public(url: str) -> bool:
    return url.startswith("https://")


def _without_credentials(url: str) -> str:
    """The workflow is committed: a token in the remote's URL must not go with it."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _subdirectory(origin: dict) -> str:
    return f"#subdirectory={origin['subdirectory']}" if origin.get("subdirectory") else ""


def _git_source(folder: Path) -> tuple[str, str] | None:
    """The origin remote's URL and the checked-out commit of ``folder``, if it is a git
    checkout with an origin."""
    try:
        remote, commit = (subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                                         text=True, timeout=10, check=True).stdout.strip()
                          for args in (("remote", "get-url", "origin"), ("rev-parse", "HEAD")))
    except (OSError, subprocess.SubprocessError):
        return None
    return (remote, commit) if remote and commit else None


def _ignore_in_git(gitignore: Path) -> bool:
    """Write the archive's .gitignore, or add the lines it lacks to the one a site already
    has (the database must not be committed by accident); True when it was written."""
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
        return True
    text = gitignore.read_text(encoding="utf-8", errors="surrogateescape")
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in GITIGNORE.splitlines()
               if not line.startswith("#") and line not in present]
    if not missing:
        return False
    separator = "" if not text or text.endswith("\n") else "\n"
    gitignore.write_text(text + separator + "# newsvault\n" + "\n".join(missing) + "\n",
                         encoding="utf-8", errors="surrogateescape")
    return True
