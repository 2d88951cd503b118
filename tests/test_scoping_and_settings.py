"""Tenant scoping fails loudly, settings refuse bad values, and production settings pass Django's
deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_scopes import ScopeError, scope

from customers.models import Customer
from kartes.models import Karte, KarteItem

ROOT = Path(__file__).resolve().parent.parent


def test_a_query_outside_a_salon_scope_fails_instead_of_leaking(salon_a):
    for model in (Customer, Karte, KarteItem):
        with pytest.raises(ScopeError):
            list(model.objects.all())


def test_a_scope_sees_its_own_salon_only(salon_a, salon_b):
    with scope(salon=salon_a.salon):
        assert set(Customer.objects.values_list("name", flat=True)) == {"森川 紗季", "佐藤 美咲"}


def run_django(env_overrides, *args):
    ignored = {"DATABASE_URL", "KARTE_PRODUCTION", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/karte"}, "DATABASE_URL must point at PostgreSQL"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"KARTE_PRODUCTION": "1"}, "SECRET_KEY must be set"),
        ({"KARTE_PRODUCTION": "1", "SECRET_KEY": "short"}, "at least 50 characters"),
        ({"KARTE_PRODUCTION": "1", "SECRET_KEY": "k" * 60}, "ALLOWED_HOSTS must list"),
        (
            {"KARTE_PRODUCTION": "1", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "karte.example.jp"},
            "EMAIL_HOST must name the SMTP server",
        ),
        ({"EMAIL_PORT": "465", "EMAIL_USE_TLS": "1"}, "cannot both be on"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must start with"),
        ({"VAPID_PUBLIC_KEY": "BOrphan"}, "set both keys, or neither"),
        ({"VAPID_PUBLIC_KEY": "BOrphan", "VAPID_PRIVATE_KEY": "c2hvcnQ"}, "32 bytes"),
        ({"VAPID_SUBJECT": "support@example.jp"}, "VAPID_SUBJECT must be a mailto:"),
        (
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/karte", "DB_PREPARED_STATEMENTS": "maybe"},
            "DB_PREPARED_STATEMENTS must be one of",
        ),
        ({"KARTE_FRAGMENT_STORE_MB": "-1"}, "KARTE_FRAGMENT_STORE_MB must be 0 or more"),
        ({"KARTE_FRAGMENT_STORE_MB": "lots"}, "KARTE_FRAGMENT_STORE_MB must be a whole number"),
    ],
)
def test_bad_settings_stop_start_up_with_a_clear_message(env, message):
    result = run_django(env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deployment_check():
    env = {
        "KARTE_PRODUCTION": "1",
        "SECRET_KEY": "a-production-secret-that-is-long-enough-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "karte.example.jp",
        "EMAIL_HOST": "smtp.example.jp",
    }
    result = run_django(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_static_files_collect_with_hashed_names(tmp_path):
    env = {
        "KARTE_PRODUCTION": "1",
        "SECRET_KEY": "a-production-secret-that-is-long-enough-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "karte.example.jp",
        "EMAIL_HOST": "smtp.example.jp",
        "STATIC_ROOT": str(tmp_path),
    }
    result = run_django(env, "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    for path in (
        "js/app.js",
        "js/scanner.js",
        "vendor/zxing/reader/zxing_reader.wasm",
        "css/staff/tokens.css",
        "css/staff/editor.css",
        "js/editor/context.js",
    ):
        assert f'"{path}"' in manifest
    # The editor's modules import each other by relative path, rewritten to the hashed names.
    hashed = json.loads(manifest)["paths"]
    editor = (tmp_path / hashed["js/karte-editor.js"]).read_text()
    assert f'"./{hashed["js/editor/context.js"].removeprefix("js/")}"' in editor
    drawing = (tmp_path / hashed["js/editor/drawing.js"]).read_text()
    assert f'"../{hashed["js/drawing.js"].removeprefix("js/")}"' in drawing
