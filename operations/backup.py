"""Backup and restore of one installation: the database and every stored file, with a manifest.

PostgreSQL is dumped with pg_dump from the same snapshot the list of files is read from, so the
files match the rows; SQLite is copied with its online backup API. Files are read through the
storage API, so local folders and S3 are backed up alike.
"""

import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings as django_settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction

from common.media import CHUNK, Expected, digest, expected_files
from common.replica import PRIMARY, heavy_reads

MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _pg_env(using: str) -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore on that database. They keep session state,
    so the primary is reached by DATABASE_DIRECT_URL, not through a pool in transaction mode,
    where their settings would stay on a server connection for the app's next transaction."""
    database = connections[using].settings_dict
    settings = database
    if using == PRIMARY and django_settings.DATABASE_DIRECT:
        settings = django_settings.DATABASE_DIRECT
    elif using == PRIMARY and django_settings.DB_POOLED:
        raise BackupError(
            "the primary is reached through a pool (DB_POOLED), where pg_dump and pg_restore cannot "
            "run, and the standby is missing or too far behind: set DATABASE_DIRECT_URL to the "
            "primary itself, or try again once the standby has caught up"
        )
    env = {**os.environ}
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings.get(name):
            env[key] = str(settings[name])
    env["PGDATABASE"] = database["NAME"]  # the one Django uses (in tests, the test database)
    attrs = settings.get("OPTIONS", {}).get("target_session_attrs")
    if attrs:
        env["PGTARGETSESSIONATTRS"] = attrs
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _dump_database(output: Path) -> tuple[str, list[Expected]]:
    if connection.vendor == "postgresql":
        target = output / "database.dump"
        # From the standby while it keeps up (common.replica).
        using = heavy_reads()
        env = _pg_env(using)
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env)
            files = list(expected_files(using))  # read in the same snapshot as the dump
        return target.name, files
    if connection.vendor == "sqlite":
        target = output / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        with transaction.atomic():
            files = list(expected_files())
        return target.name, files
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def backup_create(*, output: Path) -> dict:
    """Write a backup into `output` (created, must be empty) and return its manifest."""
    if connection.in_atomic_block:
        # SQLite cannot copy a database its own connection is still writing to.
        raise BackupError("a backup must start outside a database transaction")
    output.mkdir(parents=True, exist_ok=True)
    if any(output.iterdir()):
        raise BackupError(f"{output} is not empty")
    database, files = _dump_database(output)
    entries = []
    for expected in files:
        target = output / "media" / expected.name
        target.parent.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256()
        size = 0
        try:
            with default_storage.open(expected.name, "rb") as source, target.open("wb") as out:
                while chunk := source.read(CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except FileNotFoundError:
            raise BackupError(
                f"{expected.name} ({expected.owner}) was deleted while the backup ran; run backup again"
            ) from None
        if expected.sha256 and (sha.hexdigest(), size) != (expected.sha256, expected.size):
            raise BackupError(f"{expected.name} does not match its checksum; run verify_media")
        entries.append({"name": expected.name, "sha256": sha.hexdigest(), "size": size})
    manifest = {
        "format": 1,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": {
            "engine": connection.vendor,
            "file": database,
            "sha256": _file_sha256(output / database),
        },
        "files": entries,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def _check_backup(source: Path) -> dict:
    manifest = json.loads((source / MANIFEST).read_text())
    database = manifest["database"]
    if database["engine"] != connection.vendor:
        raise BackupError(
            f"this backup is of a {database['engine']} database; this installation uses {connection.vendor}"
        )
    if _file_sha256(source / database["file"]) != database["sha256"]:
        raise BackupError("the database file of the backup is damaged")
    for entry in manifest["files"]:
        path = source / "media" / entry["name"]
        if (
            not path.is_file()
            or path.stat().st_size != entry["size"]
            or _file_sha256(path) != entry["sha256"]
        ):
            raise BackupError(f"{entry['name']} in the backup is missing or damaged")
    return manifest


def _installation_is_empty() -> bool:
    from salons.models import Salon

    if "salons_salon" not in connection.introspection.table_names():
        return True
    return not Salon.objects.exists()


def _restore_database(source: Path, manifest: dict) -> None:
    file = source / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={connection.settings_dict['NAME']}",
                str(file),
            ],
            _pg_env(PRIMARY),
        )
        return
    connection.ensure_connection()
    backup = sqlite3.connect(file)
    try:
        backup.backup(connection.connection)
    finally:
        backup.close()


def backup_restore(*, source: Path) -> dict:
    """Restore a backup into an empty installation and verify every file. Returns the manifest."""
    manifest = _check_backup(source)
    if not _installation_is_empty():
        raise BackupError("this installation already has salons; restore only into an empty one")
    for entry in manifest["files"]:
        name = entry["name"]
        if default_storage.exists(name):
            if digest(default_storage, name) != (entry["sha256"], entry["size"]):
                raise BackupError(f"{name} exists in storage with other contents")
            continue
        with (source / "media" / name).open("rb") as handle:
            saved = default_storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"{name} could not be stored under its own name")
    _restore_database(source, manifest)
    problems = [
        e["name"] for e in manifest["files"] if digest(default_storage, e["name"]) != (e["sha256"], e["size"])
    ]
    if problems:
        raise BackupError(f"{len(problems)} restored file(s) do not match the backup: {problems[:5]}")
    from kartes.tasks import images_request_processing

    # Photos whose display copies were being made when the backup was taken are made again.
    manifest["requeued"] = images_request_processing()
    return manifest
