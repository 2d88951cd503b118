"""The customer's counselling sheets, answers and signatures, in their export and their erase."""

from django.utils.translation import gettext_lazy as _

from privacy.parts import CustomerDataPart, Erased, ExportPlan, ids, register, when

from .models import SheetResponse


@register
class CounsellingSheets(CustomerDataPart):
    models = ("counselling.SheetResponse",)
    document = "counselling_sheets.json"
    contents = (
        (
            document,
            _("your counselling sheets: the questions as asked, your answers and the consent you signed"),
        ),
        ("signatures/", _("your signature on each of those sheets, as drawn")),
    )
    erase_order = 40

    def export(self, customer, plan: ExportPlan, prefix: str) -> list[dict]:
        sheets = []
        for response in SheetResponse.objects.filter(customer=customer).order_by("submitted_at", "pk"):
            signature = ""
            if response.signature:
                signature = f"{prefix}signatures/{response.submitted_at:%Y-%m-%d}_sheet{response.pk}.png"
                plan.files.append((signature, response.signature.name))
            sheets.append(
                {
                    "sent_at": when(response.submitted_at),
                    "sent_from": response.get_source_display(),
                    "answers": [{"question": a["label"], "answer": a["value"]} for a in response.answers],
                    "consent": response.consent_text,
                    "signature": signature,
                }
            )
        return sheets

    def audit_targets(self, customer) -> dict[str, set[str]]:
        return {"sheetresponse": ids(SheetResponse.objects.filter(customer=customer))}

    def erase(self, customer) -> Erased:
        sheets = SheetResponse.objects.filter(customer=customer)
        signatures = list(sheets.exclude(signature="").values_list("signature", flat=True))
        sheets.delete()
        return Erased(files=signatures)
