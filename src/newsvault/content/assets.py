"""Downloaded images as files named by their SHA-256: ``assets/media/ab/abcdef….png``,
the same relative path in the archive, in the built site and in a Jekyll site, so each
is stored once however many articles show it."""

import hashlib
import os
import re
import shutil
from pathlib import Path

from newsvault.files import scratch_folder, temporary_path

MEDIA_DIR = "assets/media"
# how a Jekyll export links a stored image (works at any site.baseurl and permalink style)
JEKYLL_PREFIX = "{{ site.baseurl }}/"
JEKYLL_IMAGE_LINK = re.compile(re.escape(JEKYLL_PREFIX)
                          + r"(assets/media/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z]{2,4})")


def relink_jekyll_images(html: str, root: str) -> tuple[str, set[str]]:
    """``html`` with the image links a Jekyll export wrote (``{{ site.baseurl }}/assets/
    media/…``, back in the archive after ``import jekyll``) made relative to a page
    (``root``: "../../"), and the files they name."""
    if JEKYLL_PREFIX not in html:
        return html, set()
    files = set(JEKYLL_IMAGE_LINK.findall(html))
    return JEKYLL_IMAGE_LINK.sub(lambda match: root + match.group(1), html), files


def asset_path(sha256: str, extension: str) -> str:
    """The file's path relative to the archive (or site) root, "/"-separated."""
    return f"{MEDIA_DIR}/{sha256[:2]}/{sha256}.{extension}"


def store_asset(root: Path, body: bytes, extension: str) -> tuple[str, str, bool]:
    """Write ``body`` under ``root`` unless a file with its hash is there already.
    Returns (sha256, relative path, whether it was new). Atomic: temporary file, rename."""
    sha256 = hashlib.sha256(body).hexdigest()
    relative = asset_path(sha256, extension)
    target = Path(root) / relative
    if target.is_file() and target.stat().st_size == len(body):
        return sha256, relative, False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(temporary_path(media_scratch(root)))  # two URLs may bring one image
    try:
        with open(temporary, "xb") as stream:
            stream.write(body)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return sha256, relative, True


def publish_asset(archive_root: Path, site_root: Path, relative: str) -> bool:
    """Put the archive's file ``relative`` at the same place under ``site_root``: a hard
    link where the two share a file system, a copy elsewhere. False when it is there
    already or the archive has lost it (the page then shows a broken image, as the
    remote one would)."""
    source, target = Path(archive_root) / relative, Path(site_root) / relative
    if target.exists() or source == target:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(temporary_path(media_scratch(site_root)))
    try:
        try:
            os.link(source, temporary)
        except FileNotFoundError:
            return False
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def media_scratch(root: str | Path) -> str:
    """The scratch folder (files.py) of the images under ``root``."""
    return scratch_folder(os.path.join(root, MEDIA_DIR))
