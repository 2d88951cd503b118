"""Each salon's rows hold together, so that the data can be split by salon (common.salon_keys,
docs/capacity.md): a salon column on every table of salon data, the salon in every unique rule,
and on PostgreSQL a foreign key over (salon, key) beside each key between two tables of salon data."""

import datetime

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django_scopes import scopes_disabled

from common.fields import SalonOneToOneField
from common.salon_keys import GLOBAL, UNIQUE_ACROSS_SALONS, ours, salon_foreign_keys, salon_owned
from kartes.models import Karte, KarteItem


def _models():
    return [model for model in apps.get_models() if ours(model)]


def test_every_table_is_a_salons_or_says_why_it_is_nobodys():
    nobodys = sorted(model._meta.label for model in _models() if not salon_owned(model))
    assert nobodys == sorted(GLOBAL)


def _unique_rules(model):
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            yield (field.name,)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            yield tuple(constraint.fields)
    for fields in model._meta.unique_together:
        yield tuple(fields)


def test_every_unique_rule_of_a_salons_data_names_the_salon():
    missing = [
        (model._meta.label, fields)
        for model in _models()
        if salon_owned(model) and model._meta.label != "salons.Salon"
        for fields in _unique_rules(model)
        if "salon" not in fields and (model._meta.label, fields) not in UNIQUE_ACROSS_SALONS
    ]
    assert missing == []


def test_every_one_to_one_link_keeps_its_rule_with_the_salon():
    links = [
        (model, field)
        for model in _models()
        for field in model._meta.concrete_fields
        if isinstance(field, SalonOneToOneField)
    ]
    assert len(links) >= 6
    for model, field in links:
        assert ("salon", field.name) in set(_unique_rules(model)), (model._meta.label, field.name)


def test_the_keys_between_salon_data_are_all_found():
    keys = {(model._meta.label, field.name) for model, field in salon_foreign_keys()}
    assert ("kartes.KarteItem", "karte") in keys
    assert ("kartes.KarteItem", "image") in keys  # one-to-one links too
    assert ("kartes.Karte", "customer") in keys
    assert not any(name == "salon" for _, name in keys)
    assert len(keys) >= 38


@pytest.mark.django_db
def test_on_postgresql_each_key_has_its_salon_partner():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite keeps one salon's data on one machine anyway")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, array_to_string(array_agg(attname ORDER BY attnum), ',') "
            "FROM pg_constraint JOIN pg_attribute ON attrelid = conrelid AND attnum = ANY(conkey) "
            "WHERE contype = 'f' GROUP BY conname, conrelid"
        )
        foreign = {(table.strip('"'), columns) for table, columns in cursor.fetchall()}
    missing = [
        (model._meta.db_table, field.column)
        for model, field in salon_foreign_keys()
        if (model._meta.db_table, ",".join(sorted(["salon_id", field.column]))) not in
        {(table, ",".join(sorted(columns.split(",")))) for table, columns in foreign}
    ]  # fmt: skip
    assert missing == []


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_row_cannot_point_at_another_salons_row(salon_a, salon_b):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with scopes_disabled():
        theirs = Karte.objects.create(
            salon=salon_b.salon, customer=salon_b.customer, staff=salon_b.owner,
            treatment_date=datetime.date(2026, 12, 1),
        )  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            KarteItem.objects.create(salon=salon_a.salon, karte=theirs, kind="text", text="他店のカルテへ")
        assert not KarteItem.objects.filter(karte=theirs).exists()
