"""The files an operator copies from deploy/ work as they are: gunicorn reads its settings and loads
the app, and every systemd unit starts a command that exists, with the settings it needs."""

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def test_gunicorn_reads_its_settings_and_loads_the_app():
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {
        **os.environ,
        "KARTE_PRODUCTION": "1",
        "SECRET_KEY": "deploy-check-" + "x" * 60,
        "ALLOWED_HOSTS": "karte.example.jp",
        "EMAIL_HOST": "smtp.example.jp",
        "KARTE_WEB_WORKERS": "3",
    }
    result = subprocess.run(
        [str(gunicorn), "--check-config", "--print-config", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    printed = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert printed["workers"] == "3"
    assert printed["preload_app"] == "True"
    assert printed["max_requests"] == "2000"


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_each_systemd_unit_runs_a_command_of_ours(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(unit)
    service = parser["Service"]
    assert service["EnvironmentFile"] == "/etc/karte/karte.env"
    command = service["ExecStart"].split()
    program = Path(command[0])
    assert program.parent == Path("/srv/karte/.venv/bin")
    if program.name == "gunicorn":
        assert (ROOT / command[command.index("-c") + 1]).is_file()
    else:
        assert command[1] == "manage.py" and command[2] in get_commands()
    assert parser["Install"]["WantedBy"] == "multi-user.target"


def test_the_example_environment_names_only_settings_we_read():
    settings_text = (ROOT / "config" / "settings.py").read_text() + (
        ROOT / "deploy" / "gunicorn.conf.py"
    ).read_text()
    example = (ROOT / "deploy" / "systemd" / "karte.env.example").read_text()
    names = [line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")]
    assert names, "the example sets something"
    for name in names:
        assert f'"{name}"' in settings_text, f"{name} is not read by the settings"


def test_the_alive_check_needs_no_database(client):
    # No database access is allowed in this test: a query would raise.
    response = client.get("/alive/")
    assert response.status_code == 200 and response.json() == {"ok": True}
