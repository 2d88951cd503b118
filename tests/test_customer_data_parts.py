"""Features plug in: every row that belongs to a customer is in some app's part of the customer's
export and erase, and every stored file is declared by the app that keeps it.

A new model with a foreign key to the customer (or to a row of the customer's) fails here until its
app declares it in its customer_data.py; a new file field fails until its app declares it in files.py.
"""

import io
import json
import zipfile

from django.apps import apps
from django.db import models
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.actions import Action, action_label, declared_actions
from common.media import declared_files
from counselling.models import SheetResponse
from customers.models import Customer
from followups.models import FollowUp, FollowUpKind, FollowUpRule
from followups.services import followup_rules
from privacy.parts import customer_data_parts
from privacy.services import customer_erase, customer_export_plan, export_zip_chunks

from .factories import make_karte, make_notice, make_sheet_response
from .linking_helpers import linked_phone

# Relations that say who did something, or which salon, not whose the row is.
NOT_OWNERSHIP = {"salons.Salon", "salons.StaffMember", "auth.User"}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def customer_owned_models() -> set[str]:
    """Every model whose foreign keys lead, directly or through other rows, to a customer."""

    def leads_to_customer(model, seen: frozenset) -> bool:
        for field in model._meta.get_fields():
            if not (field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete):
                continue
            target = field.related_model
            if target is Customer:
                return True
            if _label(target) in NOT_OWNERSHIP or _label(target) in seen:
                continue
            if leads_to_customer(target, seen | {_label(model)}):
                return True
        return False

    return {_label(m) for m in apps.get_models() if leads_to_customer(m, frozenset())} | {
        "customers.Customer"
    }


def test_every_row_that_belongs_to_a_customer_is_in_a_part():
    covered = {label for part in customer_data_parts() for label in part.models}
    owned = customer_owned_models()
    # The walk finds rows two steps away too (an item of a karte, a read of a notice).
    assert {"kartes.Karte", "kartes.KarteItem", "notices.NoticeRead", "followups.FollowUp"} <= owned
    assert owned - covered == set(), "declare these in the owning app's customer_data.py"
    assert {label for label in covered if not apps.get_model(label)} == set()


def test_each_part_has_its_own_document():
    documents = [part.document for part in customer_data_parts() if part.document]
    assert len(documents) == len(set(documents))
    assert {"customer.json", "kartes.json", "notices.json", "phones.json", "counselling_sheets.json"} <= set(
        documents
    )


def test_the_exports_readme_says_what_every_file_holds_in_japanese(salon_a, own_storage):
    make_karte(salon_a)
    make_sheet_response(salon_a, customer=salon_a.customer)
    with scope(salon=salon_a.salon):
        plan = customer_export_plan(customer=salon_a.customer, actor=None)
    readme = plan.documents["README.txt"]
    folders = {name.split("/")[0] + "/" for name, _stored in plan.files}
    assert {"photos/", "signatures/"} <= folders
    for name in [*(n for n in plan.documents if n.endswith(".json")), *folders]:
        line = next(line for line in readme.splitlines() if line.startswith(name))
        assert line.removeprefix(name).strip(), name  # described, in the customer's words
    assert "手書きのまま" in readme and "サロンにお申し付けください" in readme


def test_every_stored_file_field_is_declared_by_its_app():
    declared = {(d.model, field) for d in declared_files() for field in d.fields}
    fields = {
        (_label(model), field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert fields - declared == set(), "declare these in the owning app's files.py"
    assert declared - fields == set()


def test_audit_actions_are_declared_once_each_with_a_label():
    labels = declared_actions()
    assert {"karte.create", "customer.erase", "sheet.receive", "followup.cancel", "salon.create"} <= set(
        labels
    )
    assert all(str(label) and str(label) != name for name, label in labels.items())
    assert action_label("no.such.action") == "no.such.action"  # an old entry reads as stored


def test_an_action_declared_again_with_other_words_is_refused():
    try:
        Action("karte.create", "Something else")
    except ValueError as error:
        assert "karte.create" in str(error)
    else:
        raise AssertionError("a second, different label for one action was taken")


def test_the_follow_ups_planned_for_a_customer_are_in_the_export_and_go_with_the_erase(salon_a, own_storage):
    with scope(salon=salon_a.salon):
        followup_rules(salon=salon_a.salon)  # the salon's rules, made on first use
        FollowUpRule.objects.filter(kind=FollowUpKind.THANKS).update(enabled=True)
    make_karte(salon_a, text="来店メモ", date=timezone.localdate())
    make_notice(salon_a, customer=salon_a.customer, title="森川様へ")
    make_sheet_response(salon_a, customer=salon_a.customer)
    linked_phone(salon_a)
    with scope(salon=salon_a.salon):
        planned = list(FollowUp.objects.filter(customer=salon_a.customer).values_list("pk", flat=True))
        assert planned
        plan = customer_export_plan(customer=salon_a.customer, actor=None)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export_zip_chunks(plan))))
    followups = json.loads(archive.read("followups.json"))
    assert str(FollowUpKind.THANKS.label) in [f["kind"] for f in followups]
    with scope(salon=salon_a.salon):
        counts = customer_erase(customer=salon_a.customer, actor=None, confirm_name=salon_a.customer.name)
    assert (
        counts["kartes"] == 1 and counts["photos"] == 1 and counts["phones"] == 1 and counts["notices"] == 1
    )
    with scopes_disabled():
        assert not FollowUp.objects.filter(pk__in=planned).exists()
        assert not SheetResponse.objects.filter(customer_id=salon_a.customer.pk).exists()
        assert not Customer.objects.filter(pk=salon_a.customer.pk).exists()
        assert Customer.objects.filter(pk=salon_a.other_customer.pk).exists()
