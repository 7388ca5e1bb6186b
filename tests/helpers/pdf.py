"""Poppler's command-line tools (``pdftotext``, ``pdfinfo``, ``pdffonts``, ``pdfsig``) for tests that read a
rendered PDF back as a person's viewer would. A test that needs one is skipped where poppler is missing."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest


def tool(name: str) -> str:
    """The path of a poppler tool; skips the calling test if it is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"poppler's {name} is not installed")
    return path


def run(name: str, *args: str) -> str:
    """A poppler tool's standard output (text); a failing run fails the test."""
    return subprocess.run([tool(name), *args], capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    """White space runs as one space: text extracted from a PDF wraps wherever the layout wrapped it."""
    return re.sub(r"\s+", " ", text).strip()
