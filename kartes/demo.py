"""The demo salon's kartes: visits with notes, before/after photos, colour recipes and drawings,
all made here (soft portraits, nails and strokes drawn with Pillow; nothing downloaded)."""

import datetime
import io
import math
import random
import uuid

from PIL import Image, ImageDraw, ImageFilter

from common.demo import Demo, demo_step
from menus.models import MenuItem

from .models import ImageKind, ItemKind, PhotoAngle, PhotoTag
from .services import ItemInput, image_asset_create, karte_create

MENUS = [
    "カット",
    "カット、カラー",
    "カラー、トリートメント",
    "パーマ",
    "縮毛矯正",
    "カット、ヘッドスパ",
    "ジェルネイル",
    "まつげパーマ",
]
NOTES = [
    "前回より明るめのベージュ系で。根元のリタッチ中心に施術しました。",
    "毛先の傷みが気になるとのことでトリートメントを追加。ホームケアはオイルをおすすめしました。",
    "肩につくくらいの長さでレイヤーを入れました。乾かすだけでまとまるように調整。",
    "次回は6週間後くらいのご来店がおすすめです。",
    "頭皮が乾燥気味。シャンプーは低刺激のものをご案内しました。",
    "前髪は眉上で。伸びてきたらお気軽にお直しにお越しください。",
]
HAIR_COLOURS = [(58, 38, 28), (120, 80, 50), (160, 120, 80), (90, 60, 90), (40, 40, 45), (175, 140, 100)]


def _portrait(rng: random.Random, hair: tuple[int, int, int], length: float) -> bytes:
    """A soft, photo-like portrait silhouette: background, face and a hair shape."""
    width, height = 1200, 1500
    image = Image.new("RGB", (width, height))
    top = tuple(rng.randint(200, 240) for _ in range(3))
    bottom = tuple(max(0, c - 50) for c in top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    skin = (236, 200, 176)
    draw.ellipse([330, 1100, 870, 1700], fill=(90, 90, 110))  # shoulders
    draw.rectangle([520, 880, 680, 1180], fill=skin)  # neck
    hair_bottom = 700 + int(600 * length)
    draw.rounded_rectangle([300, 280, 900, hair_bottom], radius=260, fill=hair)
    draw.ellipse([400, 380, 800, 960], fill=skin)  # face
    draw.chord([380, 260, 820, 640], 180, 360, fill=hair)  # fringe
    for _ in range(40):
        x = rng.randint(320, 880)
        shade = tuple(min(255, c + rng.randint(10, 40)) for c in hair)
        draw.line([(x, 300), (x + rng.randint(-40, 40), hair_bottom - 20)], fill=shade, width=3)
    return _jpeg(image.filter(ImageFilter.GaussianBlur(2)))


def _nails(rng: random.Random) -> bytes:
    image = Image.new("RGB", (1400, 1050), (246, 236, 232))
    draw = ImageDraw.Draw(image)
    colour = rng.choice([(210, 90, 120), (180, 40, 60), (240, 180, 190), (120, 150, 200)])
    for i in range(4):
        x = 300 + i * 220
        draw.rounded_rectangle([x, 250 + abs(i - 1.5) * 60, x + 150, 900], radius=70, fill=(236, 200, 180))
        draw.rounded_rectangle(
            [x + 25, 280 + abs(i - 1.5) * 60, x + 125, 470 + abs(i - 1.5) * 60], radius=45, fill=colour
        )
    return _jpeg(image.filter(ImageFilter.GaussianBlur(1)))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _illustration(rng: random.Random) -> tuple[bytes, list[dict]]:
    """Strokes as the drawing pad stores them, and the PNG the pad would have made."""
    strokes: list[dict] = []
    for _ in range(rng.randint(3, 6)):
        cx, cy = rng.randint(400, 800), rng.randint(200, 600)
        radius = rng.randint(60, 160)
        points = [
            [round(cx + radius * math.cos(a / 10), 1), round(cy + radius * 0.6 * math.sin(a / 10), 1)]
            for a in range(0, 40)
        ]
        strokes.append(
            {
                "tool": "pen",
                "color": rng.choice(["#d62839", "#1d64d8", "#222222"]),
                "width": 8,
                "points": points,
            }
        )
    image = Image.new("RGB", (1200, 900), "white")
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(
            [tuple(p) for p in stroke["points"]], fill=stroke["color"], width=stroke["width"], joint="curve"
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), strokes


@demo_step(30)
def demo_kartes(demo: Demo) -> None:
    """One to four visits per customer, by the owner or the stylist, weeks apart."""
    rng = demo.random("kartes")
    menu_ids = dict(MenuItem.objects.values_list("name", "pk"))
    # The portraits are taken from the front: 「アングル別の記録」 and 「比べる写真」 line them up.
    front = PhotoAngle.objects.filter(salon=demo.salon, name="正面").first()
    for customer in demo.customers:
        for visit in range(rng.randint(1, 4)):
            date = demo.today - datetime.timedelta(days=20 + visit * 45 + rng.randint(0, 20))
            _karte(rng, demo, menu_ids, customer, rng.choice(demo.staff), date, front)


def _karte(
    rng: random.Random, demo: Demo, menu_ids: dict[str, int], customer, staff, date, front: PhotoAngle | None
) -> None:
    actor = staff.user
    menu = rng.choice(MENUS)
    items = [ItemInput(kind=ItemKind.TEXT, text=rng.choice(NOTES), is_public=rng.random() < 0.6)]
    if rng.random() < 0.6:
        hair = rng.choice(HAIR_COLOURS)
        nails = "ネイル" in menu
        for tag, length in ((PhotoTag.BEFORE, rng.random()), (PhotoTag.AFTER, rng.random() * 0.6)):
            data = _nails(rng) if nails else _portrait(rng, hair, length)
            asset, _ = image_asset_create(
                salon=demo.salon,
                user=actor,
                upload_key=uuid.uuid4(),
                data=data,
                kind=ImageKind.PHOTO,
                copies_now=True,
            )
            angle = None if nails else front
            public = rng.random() < 0.5
            items.append(
                ItemInput(kind=ItemKind.PHOTO, image=asset, photo_tag=tag, angle=angle, is_public=public)
            )
            hair = rng.choice(HAIR_COLOURS)
    if "カラー" in menu:
        items.append(
            ItemInput(
                kind=ItemKind.RECIPE,
                recipe=[
                    {
                        "brand": "イルミナカラー",
                        "shade": rng.choice(["オーシャン 8", "サンセット 7", "ヌード 9"]),
                        "developer": "6",
                        "ratio": "1:1",
                        "amount": "60",
                        "time": "20",
                        "area": "根元",
                    },
                    {
                        "brand": "イルミナカラー",
                        "shade": "ヌード 10",
                        "developer": "3",
                        "ratio": "1:1.5",
                        "amount": "40",
                        "time": "15",
                        "area": "毛先",
                    },
                ],
                text=rng.choice(["次回は1トーン暗めに。", "根元の新生部 1.5cm。", ""]),
            )
        )
    if rng.random() < 0.3:
        png, strokes = _illustration(rng)
        asset, _ = image_asset_create(
            salon=demo.salon,
            user=actor,
            upload_key=uuid.uuid4(),
            data=png,
            kind=ImageKind.ILLUSTRATION,
            copies_now=True,
        )
        items.append(
            ItemInput(kind=ItemKind.ILLUSTRATION, image=asset, drawing=strokes, template="", is_public=False)
        )
    karte_create(
        salon=demo.salon,
        actor=actor,
        customer=customer,
        treatment_date=date,
        staff=staff,
        # Menus on the salon's list are picked from it (with their prices); others are typed.
        menu="、".join(name for name in menu.split("、") if name not in menu_ids),
        menu_item_ids=[menu_ids[name] for name in menu.split("、") if name in menu_ids],
        nominated=rng.random() < 0.3,
        next_visit_weeks=rng.choice([None, 4, 6, 8]),
        items=items,
    )
