"""Small builders for salon-owned data, always through the services the app uses."""

import datetime
import io
import uuid

from django_scopes import scope
from PIL import Image

from kartes.models import ImageKind, ItemKind
from kartes.services import ItemInput, image_asset_create, karte_create


def image_bytes(fmt="JPEG", size=(640, 480), color=(200, 120, 90), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save_kwargs)
    return out.getvalue()


def make_karte(
    world, *, customer=None, public_text=False, public_photo=False, date=None, text="カットとカラー"
):
    """A karte with one text and one photo item, both private unless asked otherwise."""
    customer = customer or world.customer
    with scope(salon=world.salon):
        asset, _ = image_asset_create(
            salon=world.salon,
            user=world.owner.user,
            upload_key=uuid.uuid4(),
            data=image_bytes(),
            kind=ImageKind.PHOTO,
        )
        return karte_create(
            salon=world.salon,
            actor=world.owner.user,
            customer=customer,
            treatment_date=date or datetime.date(2026, 11, 1),
            staff=world.stylist,
            menu="カット",
            items=[
                ItemInput(kind=ItemKind.TEXT, text=text, is_public=public_text),
                ItemInput(kind=ItemKind.PHOTO, image=asset, caption="仕上がり", is_public=public_photo),
            ],
        )


def make_notice(world, *, customer=None, title="お知らせ", body="本文", starts_at=None, ends_at=None):
    """A notice showing now (unless told otherwise): to everyone, or to one customer."""
    from django.utils import timezone

    from notices.services import notice_create

    now = timezone.now()
    with scope(salon=world.salon):
        return notice_create(
            salon=world.salon,
            actor=world.owner.user,
            title=title,
            body=body,
            starts_at=starts_at or now - datetime.timedelta(minutes=1),
            ends_at=ends_at or now + datetime.timedelta(days=7),
            customer=customer,
        )


def make_customer(world, name: str, kana: str = "きゃく"):
    from customers.services import customer_create

    with scope(salon=world.salon):
        return customer_create(salon=world.salon, actor=world.owner.user, data={"name": name, "kana": kana})


def signature_data_url(size=(900, 300), exif: bytes | None = None) -> str:
    """A finger signature as the phone sends it: a PNG data URL of dark strokes on nothing."""
    import base64

    from PIL import ImageDraw

    picture = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.line([(60, 200), (200, 80), (320, 220), (480, 90), (700, 210)], fill=(20, 20, 30, 255), width=8)
    out = io.BytesIO()
    picture.save(out, format="PNG", **({"exif": exif} if exif else {}))
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def make_sheet_response(
    world, *, name="新井 まどか", question="本日のご希望", answer="毛先を整えたい", customer=None, signed=True
):
    """A sheet sent through the counter's QR code, with one question asked and, if signed, the consent."""
    from counselling.models import Question, QuestionKind, ResponseSource
    from counselling.services import sheet_get, sheet_link_create, sheet_response_submit, signature_png

    with scope(salon=world.salon):
        sheet = sheet_get(salon=world.salon)
        sheet.consent_text = "施術内容に同意します。"
        sheet.save()
        asked = Question.objects.create(
            salon=world.salon, kind=QuestionKind.SHORT, label=question, position=1
        )
        link, _token = sheet_link_create(salon=world.salon, actor=world.owner.user, single_use=False)
        response = sheet_response_submit(
            salon=world.salon,
            source=ResponseSource.COUNTER,
            answers=[{"question": asked.pk, "label": asked.label, "kind": asked.kind, "value": answer}],
            identity={"name": name, "kana": "あらい まどか", "phone": "090-2222-3333"},
            signature=signature_png(signature_data_url()) if signed else None,
            link=link,
            customer=customer,
        )
    response.question = asked  # type: ignore[attr-defined]
    return response
