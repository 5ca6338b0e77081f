"""A worker on the filesystem broker keeps its files under VAR_DIR, wherever it is started."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.services
def test_a_worker_started_from_another_directory_writes_nothing_there(tmp_path):
    cwd, var, log = tmp_path / "elsewhere", tmp_path / "var", tmp_path / "worker.log"
    cwd.mkdir()  # VAR_DIR itself does not exist yet, as after `make clean`
    drop = {"CELERY_BROKER_URL", "DATABASE_URL", "EMAIL_URL", "EMAIL_HOST", "MEDIA_ROOT"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        VAR_DIR=str(var),
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_TASK_DEFAULT_QUEUE=f"nk-test-{os.getpid()}",
    )
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and worker.poll() is None:
                if " ready." in log.read_text():
                    break
                time.sleep(0.5)
            assert " ready." in log.read_text(), log.read_text()[-2000:]
            time.sleep(1)  # a moment to write what it would write once ready
            assert worker.poll() is None, log.read_text()[-2000:]
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert list(cwd.iterdir()) == []
    control = var / "broker" / "control"
    assert any(control.glob("*.exchange")), "the exchange tables belong under VAR_DIR"
