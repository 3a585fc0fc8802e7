"""A PostgreSQL cluster of the load bench's own (initdb in a temporary directory, never the shared
server: the bench restarts it), and the service's processes on it (gunicorn, schedulers)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class Cluster:
    """initdb + pg_ctl on a free port, trust authentication; run as `postgres` when we are root."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise SystemExit("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        self.bin = Path(found[-1]).parent
        self.version = self.bin.parent.name
        self.tmp = Path(tempfile.mkdtemp(prefix="harc_load_"))
        self.data = self.tmp / "data"
        self.port = free_port()
        self.log = self.tmp / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C.UTF-8")  # fmt: skip

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.tmp)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _options(self) -> str:
        return (f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c shared_buffers=64MB")  # fmt: skip

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options(),
                  "-w", "start")  # fmt: skip

    def restart(self) -> float:
        """`pg_ctl restart -m fast`: every connection is cut; returns the seconds it took."""
        t0 = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options(),
                  "-m", "fast", "-w", "restart")  # fmt: skip
        return time.monotonic() - t0

    def stop(self) -> None:
        """Stop it and remove its directory."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.tmp, ignore_errors=True)


class Processes:
    """gunicorn and `flask scheduler run` processes sharing one environment."""

    def __init__(self, env: dict, workers: int) -> None:
        self.env, self.workers = env, workers
        self.port = free_port()
        self.logs = Path(tempfile.mkdtemp(prefix="harc_load_logs_"))
        self.gunicorn: subprocess.Popen | None = None
        self.schedulers: list[subprocess.Popen] = []

    def _spawn(self, command: list[str], name: str) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=out)

    def start_web(self) -> None:
        """gunicorn -w N wsgi:app, waited for."""
        command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(self.workers), "-b",
                   f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"]  # fmt: skip
        self.gunicorn = self._spawn(command, "gunicorn")
        wait_port(self.port)

    def start_scheduler(self) -> subprocess.Popen:
        """One more `flask scheduler run` process."""
        command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "scheduler", "run"]
        proc = self._spawn(command, f"scheduler{len(self.schedulers)}")
        self.schedulers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL: no clean-up, no lease released."""
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        """SIGTERM everything still running, then wait."""
        for proc in [p for p in [self.gunicorn, *self.schedulers] if p is not None]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [p for p in [self.gunicorn, *self.schedulers] if p is not None]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The end of a process's log (for the report when something failed)."""
        path = self.logs / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
