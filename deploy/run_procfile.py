"""Run every process of a Procfile together, as one service (`make serve`).

    python deploy/run_procfile.py deploy/Procfile

Each line ``name: command`` is started with the shell, in the current directory and
environment. Ctrl-C or SIGTERM stops them all; when one of them ends, for whatever
reason, the others are stopped too and this exits with that process's status, so
that whatever supervises it (systemd, a container runtime) sees the failure and
restarts the whole set. A process that ignores SIGTERM for ``STOP_TIMEOUT`` seconds
is killed.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STOP_TIMEOUT = float(os.environ.get("PROCFILE_STOP_TIMEOUT", "20"))


def read_procfile(path: Path) -> dict[str, str]:
    processes: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise SystemExit(f"{path}: not 'name: command': {line!r}")
        processes[name.strip()] = command.strip()
    return processes


def log(message: str) -> None:
    print(f"[procfile] {message}", file=sys.stderr, flush=True)


class Stop(Exception):
    def __init__(self, signum: int) -> None:
        self.signum = signum


def raise_stop(signum: int, _frame: object) -> None:
    raise Stop(signum)


def stop_all(children: dict[str, subprocess.Popen]) -> None:
    for name, child in children.items():
        if child.poll() is None:
            log(f"stopping {name} (pid {child.pid})")
        # Each child leads its own process group: what it started stops too,
        # even when the child itself has already gone.
        signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, child in children.items():
        try:
            child.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop in {STOP_TIMEOUT:g} s: killed")
            signal_group(child, signal.SIGKILL)
            child.wait()


def signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    processes = read_procfile(Path(argv[1]))
    signal.signal(signal.SIGTERM, raise_stop)
    signal.signal(signal.SIGINT, raise_stop)
    children: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        for name, command in processes.items():
            # A group of its own: Ctrl-C reaches the children only through here,
            # once, as SIGTERM, and in the order of the Procfile.
            children[name] = subprocess.Popen(
                command, shell=True, start_new_session=True
            )
            log(f"started {name} (pid {children[name].pid}): {command}")
        while True:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    log(f"{name} exited with status {code}: stopping the others")
                    status = code if code > 0 else 1
                    raise Stop(0)
            time.sleep(0.2)
    except Stop as stop:
        if stop.signum:
            log(f"received {signal.Signals(stop.signum).name}: stopping")
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_all(children)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
