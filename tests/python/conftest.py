"""Fixtures of the Python module's tests (run by ctest with PYTHONPATH=<build>/python, TERSE_CLI and
TERSE_SHARED_DIR set by tests/python/CMakeLists.txt)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(__file__).resolve().parents[2]
SAMPLES = SOURCE_DIR / "resources" / "samples"


def shared_dir():
    return Path(os.environ.get("TERSE_SHARED_DIR", SOURCE_DIR.parent / "shared"))


def shared_file(*parts):
    """A file of ../shared, or skip the test with a clear message when the shared data is absent."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (tests read ../shared; set TERSE_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def cli():
    """Runs the terse CLI built beside the module: cli(args, input=None) -> CompletedProcess."""
    exe = os.environ.get("TERSE_CLI") or str(SOURCE_DIR / "build" / "app" / "cli" / "terse")
    if not Path(exe).exists():
        pytest.skip(f"terse CLI not built: {exe}")

    def run(args, input=None, check=True):
        proc = subprocess.run([exe] + list(args), input=input, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise AssertionError(f"terse {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
        return proc
    return run


def sample(name):
    return (SAMPLES / name).read_text(encoding="utf-8")


def jsonl_records(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]
