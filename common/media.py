"""Every stored file and the row that vouches for it: the one list that verify_media, the purge
of orphans, backup and restore all work from, for local files and S3 alike.

Each app declares its own file fields (``declare_files`` in its ready()); nothing here knows them.
"""

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django_scopes import scopes_disabled

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Expected:
    name: str
    sha256: str  # "" for a row written before checksums were kept
    size: int | None
    owner: str  # which row, for the report


@dataclass(frozen=True)
class StoredFiles:
    """One model's file fields, declared once by the app that owns the model.

    ``rows`` yields every file its rows vouch for; ``pending`` the files rows name that the worker
    has still to make. A transient declaration (an export kept for a day) is known but not expected:
    its files are neither backed up nor verified, and the purge of orphans may take them.
    """

    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]
    # rows(using): read from that database (a backup reads them in its dump's snapshot).
    rows: Callable[[str], Iterator[Expected]] | None = None
    pending: Callable[[], Iterator[Expected]] | None = None

    @property
    def transient(self) -> bool:
        return self.rows is None


_DECLARED: list[StoredFiles] = []


def declare_files(
    model: str,
    fields: tuple[str, ...],
    *,
    rows: Callable[[str], Iterator[Expected]] | None = None,
    pending: Callable[[], Iterator[Expected]] | None = None,
) -> None:
    """Called from the owning app's ready(): this is where its stored files are found."""
    _DECLARED.append(StoredFiles(model, fields, rows, pending))


def declared_files() -> list[StoredFiles]:
    return list(_DECLARED)


_RECORD_CHECKS: list[Callable[[], Iterator[str]]] = []


def declare_record_check(check: Callable[[], Iterator[str]]) -> None:
    """Called from an app's ready(): rows that keep a checksum of their own content (a signed
    sheet), checked by verify_media alongside the files; `check` yields each row that differs."""
    _RECORD_CHECKS.append(check)


def expected_files(using: str = "default") -> Iterator[Expected]:
    """Every file a row refers to, with the checksum and size kept on that row."""
    with scopes_disabled():
        for declared in _DECLARED:
            if declared.rows is not None:
                yield from declared.rows(using)


def pending_copies() -> Iterator[Expected]:
    """The display copies rows name that the task worker has still to make: not there yet, or
    there but not vouched for by a checksum. The worker makes them from the original."""
    with scopes_disabled():
        for declared in _DECLARED:
            if declared.pending is not None:
                yield from declared.pending()


def digest(storage: Storage, name: str) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def stored_names(storage: Storage = default_storage) -> Iterator[str]:
    """Every file in storage, temporary ones of an interrupted write included."""
    if isinstance(storage, FileSystemStorage):
        root = storage.location
        for folder, _dirs, files in os.walk(root):
            for filename in files:
                yield os.path.relpath(os.path.join(folder, filename), root).replace(os.sep, "/")
        return

    def walk(prefix: str) -> Iterator[str]:
        folders, files = storage.listdir(prefix)
        for filename in files:
            yield f"{prefix}{filename}"
        for folder in folders:
            yield from walk(f"{prefix}{folder}/")

    yield from walk("")


@dataclass
class Report:
    checked: int = 0
    missing: list[str] | None = None
    damaged: list[str] | None = None
    unchecked: list[str] | None = None
    orphans: list[str] | None = None
    pending: list[str] | None = None
    altered: list[str] | None = None

    def __post_init__(self) -> None:
        self.missing, self.damaged, self.unchecked, self.orphans, self.pending = [], [], [], [], []
        self.altered = []

    @property
    def ok(self) -> bool:
        return not (
            self.missing or self.damaged or self.unchecked or self.orphans or self.pending or self.altered
        )


def verify(storage: Storage = default_storage) -> Report:
    """Check that every row's files exist and read back as recorded, display copies still being
    made included (listed as pending until the worker has made them), and list files no row names."""
    report = Report()
    referenced = set()
    for expected in expected_files():
        referenced.add(expected.name)
        report.checked += 1
        try:
            sha, size = digest(storage, expected.name)
        except (FileNotFoundError, OSError):
            report.missing.append(f"{expected.name} ({expected.owner})")  # type: ignore[union-attr]
            continue
        if not expected.sha256:
            report.unchecked.append(f"{expected.name} ({expected.owner}): no checksum on the row")  # type: ignore[union-attr]
        elif (sha, size) != (expected.sha256, expected.size):
            report.damaged.append(f"{expected.name} ({expected.owner})")  # type: ignore[union-attr]
    for expected in pending_copies():
        referenced.add(expected.name)
        report.checked += 1
        if not storage.exists(expected.name):
            report.pending.append(f"{expected.name} ({expected.owner})")  # type: ignore[union-attr]
    report.orphans.extend(sorted(set(stored_names(storage)) - referenced))  # type: ignore[union-attr]
    with scopes_disabled():
        for check in _RECORD_CHECKS:
            report.altered.extend(check())  # type: ignore[union-attr]
    return report


def orphans_purge(*, older_than: float, storage: Storage = default_storage) -> list[str]:
    """Delete files no row refers to that are older than `older_than` (a timestamp).

    The grace period protects an upload whose file is written but whose row has not committed yet.
    """
    referenced = {expected.name for expected in (*expected_files(), *pending_copies())}
    removed = []
    for name in stored_names(storage):
        if name in referenced:
            continue
        if storage.get_modified_time(name).timestamp() >= older_than:
            continue
        storage.delete(name)
        removed.append(name)
    return removed


def spool_purge(*, folder: str, older_than: float) -> list[str]:
    """Delete upload spool files left behind by a request that died (a killed worker)."""
    removed = []
    for entry in os.scandir(folder) if os.path.isdir(folder) else []:
        if entry.is_file() and entry.stat().st_mtime < older_than:
            os.unlink(entry.path)
            removed.append(entry.name)
    return removed
