"""deploy/run_procfile.py (`make serve`): the processes live and stop together."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

RUNNER = Path(settings.BASE_DIR) / "deploy" / "run_procfile.py"


def start(tmp_path: Path, procfile: str) -> subprocess.Popen:
    (tmp_path / "Procfile").write_text(procfile)
    return subprocess.Popen(
        [sys.executable, str(RUNNER), "Procfile"],
        cwd=tmp_path,
        env={**os.environ, "PROCFILE_STOP_TIMEOUT": "5"},
        stderr=subprocess.PIPE,
        text=True,
    )


def alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text()), 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.05)


LONG = "web: echo $$ > web.pid; sleep 60\nworker: echo $$ > worker.pid; sleep 60\n"


def test_one_process_ending_stops_the_others_with_its_status(tmp_path: Path) -> None:
    runner = start(tmp_path, LONG + "periodic: sleep 0.5; exit 3\n")
    wait_for(tmp_path / "web.pid")
    assert runner.wait(15) == 3
    assert runner.stderr is not None
    assert "periodic exited with status 3" in runner.stderr.read()
    assert not alive(tmp_path / "web.pid")
    assert not alive(tmp_path / "worker.pid")


def test_sigterm_stops_every_process(tmp_path: Path) -> None:
    runner = start(tmp_path, LONG)
    wait_for(tmp_path / "web.pid")
    wait_for(tmp_path / "worker.pid")
    runner.send_signal(signal.SIGTERM)
    runner.wait(15)
    assert not alive(tmp_path / "web.pid")
    assert not alive(tmp_path / "worker.pid")


def test_the_shipped_procfile_runs_the_web_worker_and_periodic_jobs() -> None:
    procfile = (Path(settings.BASE_DIR) / "deploy" / "Procfile").read_text()
    commands = dict(line.split(": ", 1) for line in procfile.splitlines())
    assert commands == {
        "web": "gunicorn --config deploy/gunicorn.conf.py",
        "worker": "python manage.py db_worker --no-reload",
        "email": "python manage.py send_queued_email --every 60",
        "housekeeping": "python manage.py access_housekeeping --every 3600",
        "alerts": "python manage.py send_search_alerts --every 3600",
    }
