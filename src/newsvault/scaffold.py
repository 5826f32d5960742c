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
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
        written.append(gitignore)
    if github_actions:
        workflow = root / WORKFLOW_PATH
        workflow.parent.mkdir(parents=True, exist_ok=True)
        template = resources.files("newsvault") / "templates" / "github-workflow.yml"
        workflow.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        written.append(workflow)
    return written
