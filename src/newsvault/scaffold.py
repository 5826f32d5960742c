"""``newsvault init``: a new archive folder."""

from importlib import resources
from pathlib import Path

from newsvault.config import CONFIG_NAME, DEFAULT_SOURCES, new_config_text
from newsvault.errors import ConfigError

WORKFLOW_PATH = Path(".github/workflows/newsvault.yml")
GITIGNORE = ("newsvault.db\nnewsvault.db-wal\nnewsvault.db-shm\n.newsvault.lock\n"
             "# temporary files of a run killed half-way; the next run deletes them\n"
             ".newsvault-tmp/\n.newsvault-*.tmp\n")


def create_archive(root: Path, *, title: str, empty: bool, github_actions: bool) -> list[Path]:
    """Write the archive's files; returns them. Never overwrites a newsvault.toml."""
    config = root / CONFIG_NAME
    if config.exists():
        raise ConfigError(f"{config} exists already; this folder is an archive")
    root.mkdir(parents=True, exist_ok=True)
    config.write_text(
        new_config_text(title, "Asia/Shanghai", [] if empty else DEFAULT_SOURCES),
        encoding="utf-8",
    )
    written = [config]
    if _ignore_in_git(root / ".gitignore"):
        written.append(root / ".gitignore")
    if github_actions:
        workflow = root / WORKFLOW_PATH
        workflow.parent.mkdir(parents=True, exist_ok=True)
        template = resources.files("newsvault") / "templates" / "github-workflow.yml"
        workflow.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        written.append(workflow)
    return written


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
