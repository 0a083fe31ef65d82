"""--video with the system's ffmpeg, where Playwright's own ffmpeg cannot be downloaded.

Playwright encodes videos with the ffmpeg build `python -m playwright install ffmpeg` downloads,
looked up as <browsers path>/ffmpeg-<revision>/ffmpeg-linux. Debian's ffmpeg (with libvpx)
encodes the same VP8 stream, so where Playwright's is missing corsproof lends it Debian's: a
browsers directory of its own whose entries are the default directory's (Playwright's browser
builds stay found) plus ffmpeg-<revision>/ffmpeg-linux leading to /usr/bin/ffmpeg.
Measured with Playwright 1.62-1.64: Chromium's videos are recorded that way; stock Firefox over
WebDriver BiDi gives Playwright no frames, so its video files stay empty.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import playwright

BROWSERS_PATH_ENV = "PLAYWRIGHT_BROWSERS_PATH"
SYSTEM_FFMPEG = ("/usr/bin/ffmpeg",)
FIREFOX_NOTE = (
    "--video: Playwright records no frames from stock Firefox over WebDriver BiDi (its video files stay "
    "empty); Chromium's videos are recorded"
)


class NoFfmpeg(Exception):
    """Neither Playwright's ffmpeg nor the system's: the message says how to get one."""


def _default_browsers_path() -> Path:
    configured = os.environ.get(BROWSERS_PATH_ENV)
    if configured and configured != "0":
        return Path(configured)
    return Path.home() / ".cache" / "ms-playwright"


def ffmpeg_revision() -> str:
    listed = json.loads((Path(playwright.__file__).parent / "driver" / "package" / "browsers.json").read_text())
    return str(next(entry["revision"] for entry in listed["browsers"] if entry["name"] == "ffmpeg"))


def lend_system_ffmpeg() -> Path | None:
    """Point Playwright at the system's ffmpeg if its own is missing; the directory made (remove
    it when the run ends), or None when Playwright's own ffmpeg is there. NoFfmpeg if neither is."""
    folder = f"ffmpeg-{ffmpeg_revision()}"
    default = _default_browsers_path()
    if (default / folder / "ffmpeg-linux").exists():
        return None
    system = next((path for path in SYSTEM_FFMPEG if os.access(path, os.X_OK)), None) or shutil.which("ffmpeg")
    if system is None:
        raise NoFfmpeg(
            "--video needs ffmpeg to encode the videos: apt-get install ffmpeg (or python -m playwright install ffmpeg)"
        )
    lent = Path(tempfile.mkdtemp(prefix="corsproof-browsers-"))
    if default.is_dir():
        for entry in default.iterdir():
            (lent / entry.name).symlink_to(entry)
    (lent / folder).mkdir(exist_ok=True)
    (lent / folder / "ffmpeg-linux").symlink_to(system)
    os.environ[BROWSERS_PATH_ENV] = str(lent)
    return lent
