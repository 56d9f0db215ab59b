#!/usr/bin/env python3
"""The commands people type every day, needing nothing but Python ≥ 3.11.

    python3 tasks.py demo    set up (venv, install, migrate, article fixtures,
                             demo login) and serve on http://127.0.0.1:8000
    python3 tasks.py test    run the whole test suite (DATABASE_URL picks the database)
    python3 tasks.py setup   the set-up part of ``demo`` without starting the server
    python3 tasks.py fuzz    schemathesis against the API on a throwaway PostgreSQL database,
                             anonymous and as a curator (.ci/fuzz.py; extra arguments go to it)
    python3 tasks.py lint    ruff check and format check
    python3 tasks.py format  apply ruff fixes and formatting
    python3 tasks.py browser-deps  make Debian's Chromium available to the browser test
                             (apt-get as root; otherwise prints the command)

Each step is idempotent: dependencies are reinstalled only when a requirements
file changed, and fixtures load by natural key, so running ``demo`` twice is safe.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("TRACKER_VENV") or ROOT / ".venv")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
FIXTURES = ["edm-2006-v3-i79"]


def run(*args: str | Path, **env: str) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env={**os.environ, **env}, check=False)  # noqa: S603
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv(requirements: str) -> None:
    """Create the virtual environment and install ``requirements`` if they changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 (tasks.py runs under whatever python3 the user has)
        sys.exit(f"Python ≥ 3.11 is required; this is {sys.version.split()[0]}.")
    if not PY.exists():
        venv.create(VENV, with_pip=True)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements)
    stamp.write_text(digest)


def setup() -> None:
    ensure_venv("requirements.txt")
    run(PY, "manage.py", "migrate", "--noinput")
    run(PY, "manage.py", "seed_demo", *FIXTURES)


def demo() -> None:
    setup()
    run(PY, "manage.py", "runserver", "127.0.0.1:8000")


def test(*pytest_args: str) -> None:
    ensure_venv("requirements-dev.txt")
    run(PY, "-m", "pytest", *pytest_args)


def fuzz(*schemathesis_args: str) -> None:
    """Fuzz the API with schemathesis (see .ci/fuzz.py); needs PostgreSQL, FUZZ_POSTGRES says where."""
    ensure_venv("requirements-dev.txt")
    run(PY, ROOT / ".ci" / "fuzz.py", *schemathesis_args)


def lint() -> None:
    ensure_venv("requirements-dev.txt")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")


def format_code() -> None:
    ensure_venv("requirements-dev.txt")
    run(BIN / "ruff", "check", "--fix", ".")
    run(BIN / "ruff", "format", ".")


CHROMIUM = Path("/usr/bin/chromium")


def browser_deps() -> None:
    """Install Debian's ``chromium`` for tests/browser; Playwright never downloads a browser here."""
    if CHROMIUM.exists():
        print(f"Chromium is installed: {CHROMIUM}")
        return
    if os.name != "posix" or os.geteuid() != 0:
        sys.exit("Chromium is missing. Install it with: sudo apt-get update && sudo apt-get install -y chromium")
    run("apt-get", "update", "-q", DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium", DEBIAN_FRONTEND="noninteractive")


COMMANDS = {
    "demo": demo,
    "setup": setup,
    "test": test,
    "fuzz": fuzz,
    "lint": lint,
    "format": format_code,
    "browser-deps": browser_deps,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
