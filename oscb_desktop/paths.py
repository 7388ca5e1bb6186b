"""Where things live: shipped data (forms, resources) and the user's workspace.

Shipped data is looked up in exactly one place per layout: inside the installed
package (``oscb_desktop/_data/...``, put there by the wheel build and by the
frozen app) or, in a source checkout, at the repository root. Nothing else in
the code base should compute these paths.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "oscb-desktop"
APP_AUTHOR = "OSCB"

#: Environment variable that overrides the workspace folder (used by tests and scripts).
DATA_DIR_ENV = "OSCB_DATA_DIR"
#: Environment variable that overrides the log folder (used by tests and scripts).
LOG_DIR_ENV = "OSCB_LOG_DIR"
#: Environment variable that overrides the cache folder (used by tests and scripts).
CACHE_DIR_ENV = "OSCB_CACHE_DIR"


def _shipped(name: str) -> Path:
    # The package's own folder (what importlib.resources.files gives for a package on disk, the wheel's and the
    # frozen app's alike), without importing importlib.resources: the first window waits for this module.
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = here.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"The app's {name!r} folder is missing from this installation ({packaged} or {checkout}). "
        "Reinstall OSCB Desktop."
    )


def forms_dir() -> Path:
    """The folder of shipped form definitions (YAML) and their JSON Schema."""
    return _shipped("forms")


def resources_dir() -> Path:
    """The folder of shipped icons, stylesheet, fonts and schemas."""
    return _shipped("resources")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def default_data_dir() -> Path:
    """The workspace folder: ``$OSCB_DATA_DIR`` if set, else the platform's user data folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs  # on first use: the first window opens before anything needs it

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    """The folder of the app's log file: ``$OSCB_LOG_DIR`` if set, else the platform's user log folder."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def cache_dir() -> Path:
    """Where the app keeps what it can always make again (checked form definitions): ``$OSCB_CACHE_DIR`` if set,
    else the platform's user cache folder. Deleting it loses nothing."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))
