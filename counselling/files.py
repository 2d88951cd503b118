"""The signature each signed counselling sheet keeps, and the record each sheet keeps of itself."""

from collections.abc import Iterator

from common.media import Expected, declare_files, declare_record_check

from .consent import altered_sheets
from .models import SheetResponse


def signature_files(using: str = "default") -> Iterator[Expected]:
    signed = SheetResponse.objects.using(using).exclude(signature="")
    for response in signed.order_by("pk").iterator(chunk_size=500):
        yield Expected(
            response.signature.name,
            response.signature_sha256,
            response.signature_size,
            f"signature of sheet {response.pk}",
        )


declare_files("counselling.SheetResponse", ("signature",), rows=signature_files)
declare_record_check(altered_sheets)
