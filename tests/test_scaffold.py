"""Where the hourly workflow installs newsvault from: the same newsvault the user runs."""

import subprocess
import tomllib

import pytest
import yaml

from newsvault.scaffold import _git_source, create_archive, package_spec

COMMIT = "3c0e12f9d1a2b3c4d5e6f708192a3b4c5d6e7f80"


def no_git(folder):
    return None


@pytest.mark.parametrize("origin, spec", [
    (None, "newsvault==0.1.0"),  # from a package index
    ({"url": "https://github.com/someone/newsvault.git",
      "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"}},
     f"git+https://github.com/someone/newsvault.git@{COMMIT}"),
    ({"url": "https://github.com/someone/tools.git", "subdirectory": "newsvault",
      "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
     f"git+https://github.com/someone/tools.git@{COMMIT}#subdirectory=newsvault"),
    ({"url": "https://user:secret@git.example.org/newsvault.git",
      "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
     f"git+https://git.example.org/newsvault.git@{COMMIT}"),
    ({"url": "https://example.org/dist/newsvault-0.1.0-py3-none-any.whl",
      "archive_info": {"hashes": {}}}, "https://example.org/dist/newsvault-0.1.0-py3-none-any.whl"),
    ({"url": "file:///home/me/dist/newsvault-0.1.0.tar.gz", "archive_info": {}}, None),
    ({"url": "ssh://git@example.org/newsvault.git", "vcs_info": {"vcs": "git",
                                                                  "commit_id": COMMIT}}, None),
    ({"url": "file:///home/me/newsvault", "dir_info": {"editable": True}}, None),
])
def test_the_workflow_installs_what_runs_here(origin, spec):
    assert package_spec(origin, "0.1.0", no_git) == spec


def test_a_checkout_with_a_public_remote_is_installed_at_its_commit_without_credentials():
    def checkout(folder):
        assert str(folder) == "/home/me/newsvault"
        return "https://me:ghp_token@github.com/me/newsvault.git", COMMIT

    origin = {"url": "file:///home/me/newsvault", "dir_info": {"editable": True}}
    assert package_spec(origin, "0.1.0", checkout) == \
        f"git+https://github.com/me/newsvault.git@{COMMIT}"


def test_a_real_git_checkout_names_its_origin_and_commit(tmp_path):
    def git(*args):
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("remote", "add", "origin", "https://github.com/me/newsvault.git")
    (tmp_path / "README.md").write_text("x")
    git("add", "README.md")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x")
    assert _git_source(tmp_path) == ("https://github.com/me/newsvault.git", git("rev-parse", "HEAD"))
    assert _git_source(tmp_path / "not-a-folder") is None


def test_the_workflow_file_is_valid_yaml_with_the_package_quoted(tmp_path, monkeypatch):
    monkeypatch.setattr("newsvault.scaffold.installed_package",
                        lambda: 'git+https://example.org/a"b.git@' + COMMIT)
    created = create_archive(tmp_path / "news", title="t", empty=True, github_actions=True)
    workflow = yaml.safe_load(created.written[-1].read_text(encoding="utf-8"))
    assert workflow["env"]["NEWSVAULT_PACKAGE"] == 'git+https://example.org/a"b.git@' + COMMIT
    assert created.workflow_package == workflow["env"]["NEWSVAULT_PACKAGE"]
    steps = workflow["jobs"]["archive"]["steps"]
    install = next(step["run"] for step in steps if step.get("name") == "Install newsvault")
    assert 'pip install "$NEWSVAULT_PACKAGE"' in install and "exit 1" in install
    assert tomllib.loads((tmp_path / "news/newsvault.toml").read_text(encoding="utf-8"))


def test_without_a_package_the_install_step_fails_saying_what_to_set(tmp_path, monkeypatch):
    monkeypatch.setattr("newsvault.scaffold.installed_package", lambda: None)
    created = create_archive(tmp_path / "news", title="t", empty=True, github_actions=True)
    workflow = yaml.safe_load(created.written[-1].read_text(encoding="utf-8"))
    assert workflow["env"]["NEWSVAULT_PACKAGE"] == ""
    install = next(step["run"] for step in workflow["jobs"]["archive"]["steps"]
                   if step.get("name") == "Install newsvault")
    ran = subprocess.run(["bash", "-c", install], env={"NEWSVAULT_PACKAGE": "", "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True)
    assert ran.returncode == 1
    assert "::error::Set NEWSVAULT_PACKAGE in .github/workflows/newsvault.yml" in ran.stdout


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit_step(tmp_path, monkeypatch, posts: str | None = None) -> tuple[str, dict[str, str]]:
    """The workflow's commit step as the runner runs it (bash), and its environment;
    ``posts``: the archive's export.jekyll.out, when not the default."""
    monkeypatch.setattr("newsvault.scaffold.installed_package", lambda: "newsvault==0.1.0")
    made = tmp_path / "made"
    create_archive(made, title="t", empty=True, github_actions=False)
    if posts:
        config = made / "newsvault.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            'out = "_posts"', f'out = "{posts}"'), encoding="utf-8")
    created = create_archive(made, title="t", empty=True, github_actions=True)
    workflow = yaml.safe_load(created.written[-1].read_text(encoding="utf-8"))
    [step] = [step for step in workflow["jobs"]["archive"]["steps"]
              if step.get("name") == "Commit new posts and their images"]
    if "POSTS" in workflow["env"]:
        assert step["if"] == "${{ !cancelled() }}"  # posts written before a failure are kept
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "POSTS": "_posts", **{key: str(value) for key, value in workflow["env"].items()}}
    return step["run"], env


@pytest.fixture
def repository(tmp_path):
    """A clone of a repository (a bare one, as GitHub's) holding an archive's config."""
    remote, runner = tmp_path / "remote.git", tmp_path / "runner"
    git("init", "-q", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    git("clone", "-q", str(remote), str(runner), cwd=tmp_path)
    (runner / "newsvault.toml").write_text("[site]\n", encoding="utf-8")
    for args in (("add", "-A"), ("-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm",
                                  "start"), ("push", "-q", "origin", "HEAD")):
        git(*args, cwd=runner)
    return remote, runner


def test_the_commit_step_commits_without_a_posts_folder(tmp_path, monkeypatch, repository):
    """With the Jekyll export off there is no _posts: `git add -A _posts` failed every hour."""
    remote, runner = repository
    script, env = commit_step(tmp_path, monkeypatch)
    (runner / "newsvault.toml").write_text("[site]\ntitle = \"x\"\n", encoding="utf-8")
    ran = subprocess.run(["bash", "-e", "-c", script], cwd=runner, env=env, capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr
    assert git("log", "-1", "--format=%s", "main", cwd=remote).startswith("newsvault: ")


def test_the_commit_step_puts_its_commit_after_one_pushed_meanwhile(tmp_path, monkeypatch,
                                                                   repository):
    remote, runner = repository
    other = tmp_path / "other"
    git("clone", "-q", str(remote), str(other), cwd=tmp_path)
    (other / "README.md").write_text("a source added on github.com\n", encoding="utf-8")
    for args in (("add", "-A"), ("-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm",
                                  "meanwhile"), ("push", "-q", "origin", "HEAD")):
        git(*args, cwd=other)
    script, env = commit_step(tmp_path, monkeypatch)
    (runner / "_posts").mkdir()
    (runner / "_posts" / "2022-01-27-新.md").write_text("---\n---\n", encoding="utf-8")
    ran = subprocess.run(["bash", "-e", "-c", script], cwd=runner, env=env, capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr
    subjects = git("log", "--format=%s", "main", cwd=remote).splitlines()
    assert subjects[0].startswith("newsvault: ") and subjects[1:] == ["meanwhile", "start"]


def test_the_commit_step_commits_the_posts_folder_the_archive_exports_to(
        tmp_path, monkeypatch, repository):
    """The workflow named _posts whatever export.jekyll.out said: a site in docs/ had its
    posts written every hour and never committed."""
    remote, runner = repository
    script, env = commit_step(tmp_path, monkeypatch, posts="docs/_posts")
    assert (env["POSTS"], env["POST_IMAGES"]) == ("docs/_posts", "docs/assets/media")
    for path in ("docs/_posts/2022-01-27-新.md", "docs/assets/media/ab/c.png",
                 "assets/media/ab/c.png"):
        (runner / path).parent.mkdir(parents=True, exist_ok=True)
        (runner / path).write_text("x", encoding="utf-8")
    ran = subprocess.run(["bash", "-e", "-c", script], cwd=runner, env=env, capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr
    committed = git("-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "main",
                    cwd=remote).splitlines()
    assert {"docs/_posts/2022-01-27-新.md", "docs/assets/media/ab/c.png",
            "assets/media/ab/c.png"} <= set(committed)
