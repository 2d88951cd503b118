"""Every stored file and the row that vouches for it: the one list that verify_media, the purge
of orphans, backup and restore all work from, for local files and S3 alike."""

import hashlib
import os
from collections.abc import Iterator
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


def expected_files() -> Iterator[Expected]:
    """Every file a row refers to, with the checksum and size kept on that row."""
    from counselling.models import SheetResponse
    from kartes.models import DISPLAY_SIZES, ImageAsset
    from salons.models import Salon

    with scopes_disabled():
        for asset in ImageAsset.objects.order_by("created_at", "id").iterator(chunk_size=500):
            # Display copies still being made (or that could not be) are not expected yet.
            kinds = ("original", *DISPLAY_SIZES) if asset.is_ready else ("original",)
            for kind in kinds:
                name = getattr(asset, kind).name
                if name:
                    yield Expected(
                        name,
                        getattr(asset, f"{kind}_sha256"),
                        getattr(asset, f"{kind}_size"),
                        f"image {asset.id}",
                    )
        for response in SheetResponse.objects.exclude(signature="").order_by("pk").iterator(chunk_size=500):
            yield Expected(
                response.signature.name,
                response.signature_sha256,
                response.signature_size,
                f"signature of sheet {response.pk}",
            )
        for salon in Salon.objects.exclude(logo="").order_by("pk"):
            yield Expected(salon.logo.name, salon.logo_sha256, salon.logo_size, f"logo of salon {salon.slug}")


def pending_copies() -> Iterator[Expected]:
    """The display copies rows name that the task worker has still to make: not there yet, or
    there but not vouched for by a checksum. The worker makes them from the original."""
    from kartes.models import DISPLAY_SIZES, ImageAsset, ImageStatus

    with scopes_disabled():
        processing = ImageAsset.objects.filter(status=ImageStatus.PROCESSING)
        for asset in processing.order_by("created_at", "id").iterator(chunk_size=500):
            for kind in DISPLAY_SIZES:
                name = getattr(asset, kind).name
                if name:
                    yield Expected(name, "", None, f"image {asset.id}, still being made")


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

    def __post_init__(self):
        self.missing, self.damaged, self.unchecked, self.orphans, self.pending = [], [], [], [], []

    @property
    def ok(self) -> bool:
        return not (self.missing or self.damaged or self.unchecked or self.orphans or self.pending)


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
