"""Real concurrency on PostgreSQL: retried uploads and double-submitted kartes racing each other
still leave exactly one photo and one karte."""

import datetime
import uuid

import pytest
from django_scopes import scope

from kartes.models import ImageAsset, ImageKind, ItemKind, Karte
from kartes.services import ItemInput, PhotoAlreadyUsed, image_asset_create, karte_create

from .factories import image_bytes
from .racing import postgres_only, race

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]
ATTEMPTS = 8


def test_the_same_upload_sent_at_once_from_many_retries_is_stored_once(salon_a):
    key = uuid.uuid4()
    data = image_bytes(size=(1200, 900))

    def upload():
        with scope(salon=salon_a.salon):
            asset, _ = image_asset_create(
                salon=salon_a.salon, user=salon_a.owner.user, upload_key=key, data=data, kind=ImageKind.PHOTO
            )
            return asset.pk

    results, errors = race(upload, ATTEMPTS)
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

    results, errors = race(submit, ATTEMPTS)
    assert errors == []
    assert len(set(results)) == 1
    with scope(salon=salon_a.salon):
        assert Karte.objects.count() == 1


def test_two_kartes_saved_with_the_same_photo_at_once_end_in_one_karte_and_a_clear_refusal(salon_a):
    with scope(salon=salon_a.salon):
        asset, _ = image_asset_create(
            salon=salon_a.salon,
            user=salon_a.owner.user,
            upload_key=uuid.uuid4(),
            data=image_bytes(),
            kind=ImageKind.PHOTO,
        )

    def save():
        with scope(salon=salon_a.salon):
            return karte_create(
                salon=salon_a.salon,
                actor=salon_a.owner.user,
                customer=salon_a.customer,
                treatment_date=datetime.date(2026, 11, 20),
                staff=salon_a.stylist,
                menu="カット",
                items=[ItemInput(kind=ItemKind.PHOTO, image=asset)],
                client_key=uuid.uuid4(),
            ).pk

    results, errors = race(save, 4)
    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(error, PhotoAlreadyUsed) for error in errors), errors


def test_a_single_use_sheet_link_sent_many_times_at_once_keeps_one_sheet(salon_a, own_storage):
    from counselling.models import SheetResponse
    from counselling.services import SheetLinkError, sheet_link_create, sheet_response_submit, signature_png

    from .factories import signature_data_url

    with scope(salon=salon_a.salon):
        link, _token = sheet_link_create(salon=salon_a.salon, actor=None, single_use=True)
    signature = signature_png(signature_data_url())

    def send():
        with scope(salon=salon_a.salon):
            try:
                return sheet_response_submit(
                    salon=salon_a.salon,
                    source="link",
                    answers=[],
                    identity={"name": "青木 さくら"},
                    signature=signature,
                    link=link,
                ).pk
            except SheetLinkError as error:
                return error.reason

    results, errors = race(send, ATTEMPTS)
    assert errors == []
    assert sorted(results, key=str)[1:] == ["used"] * (ATTEMPTS - 1)
    with scope(salon=salon_a.salon):
        kept = SheetResponse.objects.get()
        # The refused sends left no signature file behind either.
        assert kept.signature.storage.exists(kept.signature.name)
    assert sum(1 for path in (own_storage / "m" / "signatures").rglob("*.png")) == 1


def test_a_counter_sheet_sent_many_times_at_once_keeps_one_sheet(salon_a, own_storage):
    """A double tap on the counter QR code's page (a link for everyone, never used up): the form's
    client key keeps one sheet and one signature file, however many sends race."""
    from django.test import Client

    from counselling.models import SheetResponse

    from .test_counselling_sheet import _answers, _link, _ready_sheet

    questions = _ready_sheet(salon_a)
    _row, url = _link(salon_a, single_use=False)
    data = _answers(questions, client_key=str(uuid.uuid4()))

    def send():
        return Client().post(url, data).status_code

    results, errors = race(send, ATTEMPTS)
    assert errors == []
    assert results == [302] * ATTEMPTS
    with scope(salon=salon_a.salon):
        assert SheetResponse.objects.count() == 1
    assert sum(1 for path in (own_storage / "m" / "signatures").rglob("*.png")) == 1
