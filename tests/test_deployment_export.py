"""The CSV export under the deployment's own server command: whole, or visibly broken, never quietly cut short.

The server is started as the image starts it (the Dockerfile's CMD: ``gunicorn -c tracker/gunicorn.conf.py
tracker.wsgi:application``) with the environment overrides an operator has: ``GUNICORN_BIND`` (a socket this test
binds to a free 127.0.0.1 port and hands over as ``fd://N``, with a small send buffer), one worker, a worker
timeout of ``TIMEOUT`` seconds; production settings, and a SQLite file holding ``EVENTS`` synthetic events
(``bench.synthetic``). A slow client (a small receive buffer, read at ``RATE`` bytes a second) keeps the export's
writes blocked for several times the timeout:

- under the deployment's command every row the API lists arrives, then the chunked terminator;
- under the command before it (sync workers, which the arbiter kills once a request has run ``TIMEOUT`` seconds)
  the same download is cut off, and the client is told so (an incomplete chunked body or a reset), never a clean
  end of a shorter file;
- an export whose rows fail mid-way (an error in the generator, raised here on purpose) ends the same way.

Each server is a subprocess; the module takes about 30 s on a slow machine, a quarter of it migrating and
generating the database, once.
"""

from __future__ import annotations

import csv
import functools
import http.client
import importlib
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
EXPORT = "/api/v1/events/?format=csv"
EVENTS = 3000  # about 1 MB of CSV: several times what the two sockets' buffers hold
TIMEOUT = 2  # gunicorn's worker timeout, in seconds, in every server started here
RATE = 160_000  # bytes a second the slow client reads: the export takes about 6 s, three times the timeout
RECEIVE_BUFFER = 4096  # the slow client's SO_RCVBUF: a small window (the kernel doubles it)
SEND_BUFFER = 16384  # the server's SO_SNDBUF (doubled too): so that its writes block instead of filling a buffer
TERMINATOR = b"\r\n0\r\n\r\n"  # the end of a chunked body: the last chunk's CRLF, the zero-length chunk, no trailers

# The image's server command before issue 12 (sync workers, gunicorn's default 30 s timeout), kept to show what
# the deployment's command guards against; bind, workers and timeout are overridden as for the deployment's.
OLD_COMMAND = ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="gunicorn runs on POSIX systems only")


def dockerfile_command() -> list[str]:
    """The Dockerfile's CMD, in its exec (JSON) form."""
    (line,) = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    return json.loads(line.removeprefix("CMD "))


def compose_command() -> str:
    """The compose ``web`` service's command: ``sh -c "…"``, as one string."""
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    return command if isinstance(command, str) else " ".join(command)


def python(command: list[str]) -> list[str]:
    """``command`` run by this interpreter: ``gunicorn …`` as ``python -m gunicorn …`` (the venv's gunicorn)."""
    assert command[0] == "gunicorn", command
    return [sys.executable, "-m", "gunicorn", *command[1:]]


def base_env(database: Path) -> dict[str, str]:
    """Production settings on ``database``, without this shell's tracker or gunicorn configuration."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "API_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "API_ANON_RATE": "",  # no throttle: the test pages through the whole list
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # This interpreter with arguments written in this module: nothing untrusted is executed.
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """A SQLite file, migrated, holding ``EVENTS`` synthetic events."""
    path = tmp_path_factory.mktemp("deployment") / "db.sqlite3"
    env = base_env(path)
    run([sys.executable, "manage.py", "migrate", "--noinput", "--verbosity=0"], env)
    run([sys.executable, "-m", "bench.synthetic", str(EVENTS)], env)
    return path


def listening_socket() -> socket.socket:
    """A socket bound to a free 127.0.0.1 port, for gunicorn to listen on (bind ``fd://N``), with a small send buffer.

    Connections accepted on it inherit that buffer, fixed: the export's writes block once about
    ``2 * SEND_BUFFER`` bytes wait, as they do for a large export to a slow client, instead of once Linux's
    autotuning (up to 4 MB on loopback) has taken the whole of this test's file.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    sock.bind((HOST, 0))
    return sock


@dataclass
class Server:
    port: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serving(command: list[str], env: dict[str, str], sock: socket.socket, log: Path) -> Iterator[Server]:
    """``command`` run from the repository on ``sock``, once it accepts connections; its output in ``log``."""
    env = {**env, "XDG_RUNTIME_DIR": str(log.parent)}  # its control socket there, not beside other gunicorns'
    with sock, log.open("wb") as output:
        # This interpreter's gunicorn with arguments written in this module.
        process = subprocess.Popen(  # noqa: S603
            python(command), cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, pass_fds=[sock.fileno()]
        )
        server = Server(sock.getsockname()[1], log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:  # refused until gunicorn listens on the socket
                socket.create_connection((HOST, server.port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, f"the server exited: {server.log_text()}"
                assert time.monotonic() < deadline, f"the server did not start: {server.log_text()}"
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def deployment(database: Path, app: str | None = None) -> tuple[list[str], dict[str, str], socket.socket]:
    """The Dockerfile's command (serving another WSGI ``app`` if given), its environment overrides, its socket."""
    command = dockerfile_command()
    if app is not None:
        command = [app if part == "tracker.wsgi:application" else part for part in command]
    sock = listening_socket()
    env = {
        **base_env(database),
        "GUNICORN_BIND": f"fd://{sock.fileno()}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_TIMEOUT": str(TIMEOUT),
    }
    return command, env, sock


def old_deployment(database: Path) -> tuple[list[str], dict[str, str], socket.socket]:
    """``OLD_COMMAND`` with one worker and the short timeout, on the same settings and the same kind of socket."""
    sock = listening_socket()
    command = [*OLD_COMMAND]
    command[command.index("--bind") + 1] = f"fd://{sock.fileno()}"
    command[command.index("--workers") + 1] = "1"
    return [*command, f"--timeout={TIMEOUT}"], base_env(database), sock


# The client ----------------------------------------------------------------------------------------------------------


@dataclass
class Download:
    status: int | None
    headers: dict[str, str]
    raw: bytes  # everything received, headers and chunked body as sent
    body: bytes  # the body, de-chunked as far as it goes
    error: Exception | None  # what the client was told when the response did not end cleanly
    seconds: float

    @property
    def rows(self) -> list[list[str]]:
        return list(csv.reader(io.StringIO(self.body.decode("utf-8", errors="replace"))))[1:]


class _Received:
    """What ``http.client.HTTPResponse`` reads from: the bytes a socket gave, then its end."""

    def __init__(self, raw: bytes):
        self.raw = raw

    def makefile(self, mode: str):
        return io.BytesIO(self.raw)


def download(port: int, path: str = EXPORT, rate: float | None = RATE) -> Download:
    """GET ``path`` over HTTP/1.1 through a small receive buffer, reading ``rate`` bytes a second (None: at once).

    The bytes are read first, as they come (a reset is the client's error); then ``http.client`` parses them, and
    a chunked body without its terminator is its ``IncompleteRead``.
    """
    raw, error = bytearray(), None
    started = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)  # before connecting: the window
        client.settimeout(30)
        client.connect((HOST, port))
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        try:
            while data := client.recv(RECEIVE_BUFFER):
                raw += data
                if rate:
                    time.sleep(max(0.0, started + len(raw) / rate - time.monotonic()))
        except OSError as exc:  # ConnectionResetError: the server's side went away with bytes unsent
            error = exc
    seconds = time.monotonic() - started
    response = http.client.HTTPResponse(_Received(bytes(raw)), method="GET")
    status, headers, body = None, {}, b""
    try:
        response.begin()
        status, headers = response.status, {name.lower(): value for name, value in response.getheaders()}
        body = response.read()
    except http.client.IncompleteRead as exc:
        body, error = exc.partial, error or exc
    except http.client.HTTPException as exc:
        error = error or exc
    return Download(status, headers, bytes(raw), body, error, seconds)


def listed_ids(port: int) -> list[str]:
    """The ids of every event the API lists, page after page of JSON (following ``next``)."""
    ids, url = [], f"http://{HOST}:{port}/api/v1/events/?page_size=200"
    while url:
        with urlopen(url, timeout=30) as response:
            page = json.load(response)
        ids.extend(str(event["id"]) for event in page["results"])
        url = page["next"]
    return ids


# The tests -----------------------------------------------------------------------------------------------------------


def test_the_image_and_compose_start_gunicorn_with_the_deployment_config():
    command = dockerfile_command()

    assert command == ["gunicorn", "-c", "tracker/gunicorn.conf.py", "tracker.wsgi:application"]
    assert re.search(r"&& exec gunicorn -c tracker/gunicorn\.conf\.py tracker\.wsgi:application\b", compose_command())


def test_the_config_reads_its_settings_from_the_environment():
    def resolved(**env: str) -> dict[str, str]:
        """The settings gunicorn resolves from the Dockerfile's command in this environment plus ``env``."""
        command = [*dockerfile_command()[:-1], "--print-config", dockerfile_command()[-1]]
        environ = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")}
        result = run(python(command), {**environ, **env})
        settings = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
        return {name: settings[name] for name in ("bind", "workers", "worker_class", "threads", "timeout")}

    assert resolved() == {
        "bind": "['0.0.0.0:8000']",
        "workers": "2",
        "worker_class": "gthread",
        "threads": "4",
        "timeout": "30",
    }
    overrides = {"GUNICORN_BIND": "127.0.0.1:9000", "GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "8"}
    assert resolved(**overrides, GUNICORN_TIMEOUT="5") == {
        "bind": "['127.0.0.1:9000']",
        "workers": "3",
        "worker_class": "gthread",
        "threads": "8",
        "timeout": "5",
    }


def test_an_export_slower_than_the_worker_timeout_arrives_whole(database, tmp_path):
    with serving(*deployment(database), tmp_path / "gunicorn.log") as server:
        expected = listed_ids(server.port)
        received = download(server.port)
        log = server.log_text()

    assert len(expected) > EVENTS // 2  # most synthetic events are visible: the file is large
    assert received.error is None, f"{received.error!r} after {len(received.rows)} rows; {log}"
    # It outlasted the timeout with the server's writes blocked (the buffers hold a few percent of the file).
    assert received.seconds > 2 * TIMEOUT, "the download must outlast the worker timeout, or this proves nothing"
    assert len(received.raw) > 20 * 2 * (SEND_BUFFER + RECEIVE_BUFFER)
    assert received.status == 200
    assert received.headers["transfer-encoding"] == "chunked"
    assert received.raw.endswith(TERMINATOR)
    assert len(received.rows) == len(expected)
    assert sorted(row[0] for row in received.rows) == sorted(expected)
    assert "WORKER TIMEOUT" not in log


def test_the_old_sync_command_cuts_the_same_download_off_and_says_so(database, tmp_path):
    """The regression guarded: a sync worker is killed mid-export; the client must see an error, not a short file."""
    with serving(*old_deployment(database), tmp_path / "gunicorn.log") as server:
        listed = listed_ids(server.port)  # short requests: well within the timeout
        received = download(server.port)
        log = server.log_text()

    assert "WORKER TIMEOUT" in log  # the cut is the timeout's
    assert received.status == 200  # the headers went out before the worker was killed…
    assert received.headers["transfer-encoding"] == "chunked"
    assert isinstance(received.error, http.client.IncompleteRead | ConnectionResetError), received.error
    assert not received.raw.endswith(TERMINATOR)  # … and the body never ended: the client knows it is cut short
    assert 0 < len(received.rows) < len(listed)


def test_an_export_failing_mid_way_is_cut_off_not_ended(database, tmp_path):
    """Rows that fail after the first chunk (``failing_export_app``): the client sees an incomplete chunked body."""
    from cooperation.api.views import EventViewSet

    with serving(*deployment(database, app=f"{__name__}:failing_export_app"), tmp_path / "gunicorn.log") as server:
        received = download(server.port, rate=None)
        log = server.log_text()

    assert "an export's rows failing on purpose" in log  # gunicorn logged the application's error
    assert received.status == 200
    assert received.headers["transfer-encoding"] == "chunked"
    assert isinstance(received.error, http.client.IncompleteRead | ConnectionResetError), received.error
    assert not received.raw.endswith(TERMINATOR)
    assert len(received.rows) == EventViewSet.csv_chunk_size  # the first chunk's rows, then nothing


# Served by gunicorn, not called by the tests ------------------------------------------------------------------------


def failing_export_app(environ, start_response):
    """``tracker.wsgi.application``, with a CSV list's rows failing after their first chunk."""
    return _failing_application()(environ, start_response)


@functools.cache
def _failing_application():
    from tracker.wsgi import application  # sets Django up, in the gunicorn worker

    readout = importlib.import_module("cooperation.api.readout")  # models inside: only once Django is set up

    chunks = readout.Readout.chunks

    def failing_chunks(self, chunk_size):
        with closing(chunks(self, chunk_size)) as rows:  # its transaction ended at once, as after a real error
            yield next(rows)
            raise RuntimeError("an export's rows failing on purpose (tests/test_deployment_export.py)")

    readout.Readout.chunks = failing_chunks
    return application
