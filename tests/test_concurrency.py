"""Real concurrency on PostgreSQL: retried uploads and double-submitted kartes racing each other
still leave exactly one photo and one karte."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django_scopes import scope

from kartes.models import ImageAsset, ImageKind, ItemKind, Karte
from kartes.services import ItemInput, image_asset_create, karte_create

from .conftest import image_bytes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrent writers"
    ),
]
ATTEMPTS = 8


def race(target):
    barrier = threading.Barrier(ATTEMPTS)
    results, errors = [], []

    def run():
        from django.db import connections

        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_the_same_upload_sent_at_once_from_many_retries_is_stored_once(salon_a):
    key = uuid.uuid4()
    data = image_bytes(size=(1200, 900))

    def upload():
        with scope(salon=salon_a.salon):
            asset, _ = image_asset_create(
                salon=salon_a.salon, user=salon_a.owner.user, upload_key=key, data=data, kind=ImageKind.PHOTO
            )
            return asset.pk

    results, errors = race(upload)
    assert errors == []
    assert len(set(results)) == 1
    with scope(salon=salon_a.salon):
        asset = ImageAsset.objects.get()
        assert asset.large.storage.exists(asset.large.name)


def test_a_karte_submitted_many_times_at_once_is_saved_once(salon_a):
    key = uuid.uuid4()

    def submit():
        with scope(salon=salon_a.salon):
            return karte_create(
                salon=salon_a.salon,
                actor=salon_a.owner.user,
                customer=salon_a.customer,
                treatment_date=datetime.date(2026, 11, 20),
                staff=salon_a.owner,
                menu="カット",
                items=[ItemInput(kind=ItemKind.TEXT, text="一度だけ")],
                client_key=key,
            ).pk

    results, errors = race(submit)
    assert errors == []
    assert len(set(results)) == 1
    with scope(salon=salon_a.salon):
        assert Karte.objects.count() == 1
