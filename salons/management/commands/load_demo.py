"""A demo salon to try Karte with: logins, customers, kartes, photos and illustrations.

Everything is generated here (no downloads). Running it again leaves the existing demo alone.
"""

import datetime
import io
import math
import random
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scope
from PIL import Image, ImageDraw, ImageFilter

from analytics.services import analytics_roll_up
from counselling.models import QuestionKind, ResponseSource
from counselling.selectors import sheet_questions
from counselling.services import sheet_link_create, sheet_preset_apply, sheet_response_submit
from customers.models import Customer
from customers.services import customer_create
from followups.services import followup_rules
from kartes.models import ImageKind, ItemKind, PhotoTag
from kartes.services import ItemInput, image_asset_create, karte_create
from linking.management.commands.link_code import write_link_code
from linking.models import Device
from linking.services import device_revoke, link_code_issue, link_code_redeem
from menus.models import MenuItem
from notices.services import notice_create, notice_mark_read
from salons.models import Salon, StaffMember, StaffRole
from salons.services import salon_create

DEMO_SLUG = "demo"
DEMO_PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
LOGINS = [
    ("owner", "karte-owner-2026", "店長 佐藤 美咲", StaffRole.OWNER),
    ("stylist", "karte-stylist-2026", "鈴木 彩", StaffRole.STYLIST),
]
OPERATOR = ("operator", "karte-operator-2026")

FAMILY = [
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山本", "やまもと"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("林", "はやし"),
    ("清水", "しみず"),
    ("森", "もり"),
    ("池田", "いけだ"),
    ("橋本", "はしもと"),
    ("阿部", "あべ"),
    ("石川", "いしかわ"),
    ("山口", "やまぐち"),
    ("藤田", "ふじた"),
    ("岡田", "おかだ"),
    ("後藤", "ごとう"),
    ("長谷川", "はせがわ"),
    ("村上", "むらかみ"),
    ("近藤", "こんどう"),
    ("石井", "いしい"),
    ("坂本", "さかもと"),
]
GIVEN = [
    ("花子", "はなこ"),
    ("陽菜", "ひな"),
    ("結衣", "ゆい"),
    ("美咲", "みさき"),
    ("さくら", "さくら"),
    ("葵", "あおい"),
    ("凛", "りん"),
    ("愛", "あい"),
    ("彩花", "あやか"),
    ("真央", "まお"),
    ("優子", "ゆうこ"),
    ("恵", "めぐみ"),
    ("翔太", "しょうた"),
    ("健", "けん"),
    ("直樹", "なおき"),
    ("千尋", "ちひろ"),
    ("奈々", "なな"),
    ("香織", "かおり"),
    ("舞", "まい"),
    ("琴音", "ことね"),
    ("遥", "はるか"),
    ("莉子", "りこ"),
    ("芽衣", "めい"),
    ("大輔", "だいすけ"),
    ("楓", "かえで"),
    ("美月", "みづき"),
    ("早紀", "さき"),
    ("亜美", "あみ"),
    ("紗希", "さき"),
    ("綾乃", "あやの"),
]
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


def _signature(rng: random.Random) -> bytes:
    """A signature as the phone's pad sends it: a few joined loops across a white strip."""
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    points = []
    for step in range(120):
        x = 90 + step * 6
        y = 150 + 55 * math.sin(step / 4 + rng.random()) * math.cos(step / 17)
        points.append((x, y))
    draw.line(points, fill="#1b1b1f", width=6, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _sheet_answers(questions, rng: random.Random, wish: str) -> list[dict]:
    answers = []
    for question in questions:
        if question.kind == QuestionKind.YES_NO:
            value: object = False
        elif question.kind == QuestionKind.SINGLE:
            value = rng.choice(question.choices)
        elif question.kind == QuestionKind.MULTIPLE:
            value = rng.sample(question.choices[:-1], 2)
        elif question.kind == QuestionKind.DATE:
            value = (datetime.date.today() - datetime.timedelta(days=rng.randint(40, 120))).isoformat()
        elif question.kind == QuestionKind.LONG:
            value = wish
        else:
            value = rng.choice(["", "特になし", "金属（ピアス）"])
        answers.append(
            {"question": question.pk, "label": question.label, "kind": question.kind, "value": value}
        )
    return answers


class Command(BaseCommand):
    help = "Load a demo salon with staff logins, customers, kartes, photos and illustrations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers", type=int, default=len(FAMILY), help="How many customers (at most 30)"
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the app is served")

    def handle(self, *args, **options):
        salon = Salon.objects.filter(slug=DEMO_SLUG).first()
        if salon is None:
            salon = self.create_demo(customers=options["customers"])
            self.stdout.write(self.style.SUCCESS("The demo salon was created."))
        else:
            self.stdout.write("The demo salon is already there; nothing was changed.")
        base_url = options["base_url"].rstrip("/")
        self.print_logins(salon, base_url)
        self.print_link_code(salon, base_url)

    def print_link_code(self, salon, base_url: str):
        """A fresh code for the first demo customer, so a phone can be linked straight away."""
        with scope(salon=salon):
            customer = Customer.objects.filter(archived_at__isnull=True).order_by("kana_sort").first()
            owner = StaffMember.objects.filter(role=StaffRole.OWNER).first()
            if customer is None or owner is None:
                return
            issued = link_code_issue(salon=salon, customer=customer, issued_by=owner)
        write_link_code(self.stdout, salon, customer, issued, base_url)
        self.stdout.write("")

    def print_logins(self, salon, base_url: str):
        self.stdout.write("")
        self.stdout.write(f"  Karte is at {base_url}/  (salon: {salon.name})")
        for username, password, name, role in LOGINS:
            self.stdout.write(f"  {role.value:8} {name}: login {username!r}, password {password!r}")
        self.stdout.write(
            f"  Platform admin: {base_url}/admin/  login {OPERATOR[0]!r}, password {OPERATOR[1]!r}"
        )
        self.stdout.write("")

    @transaction.atomic
    def create_demo(self, customers: int):
        rng = random.Random(20261122)
        owner_login, owner_password, owner_name, _ = LOGINS[0]
        salon = salon_create(
            name="Hair Salon Hana",
            slug=DEMO_SLUG,
            owner_username=owner_login,
            owner_password=owner_password,
            owner_name=owner_name,
            salon_type="hair",
        )
        salon.customer_app_enabled = True
        salon.theme_color = "#b5838d"
        salon.karte_message = (
            "いつもありがとうございます。年末年始は12月30日〜1月3日までお休みをいただきます。"
        )
        salon.phone = "03-6432-0000"
        salon.address = "東京都渋谷区神宮前4-1-1 ハナビル2F"
        salon.opening_hours = "平日 10:00〜20:00\n土日祝 9:00〜19:00\n火曜定休"
        salon.booking_url = "https://reserve.example.jp/hana"
        salon.instagram_url = "https://www.instagram.com/hair.salon.hana/"
        salon.save()
        User = get_user_model()
        if not User.objects.filter(username=OPERATOR[0]).exists():
            User.objects.create_superuser(username=OPERATOR[0], password=OPERATOR[1], email="")
        with scope(salon=salon):
            owner = StaffMember.objects.get(role=StaffRole.OWNER)
            stylist_login, stylist_password, stylist_name, role = LOGINS[1]
            user = User.objects.create_user(username=stylist_login, password=stylist_password)
            stylist = StaffMember.objects.create(salon=salon, user=user, display_name=stylist_name, role=role)
            today = datetime.date.today()
            names = list(zip(FAMILY, GIVEN, strict=True))[:customers]
            self.menu_ids = dict(MenuItem.objects.values_list("name", "pk"))
            # The thank-you and the next-visit nudge on; birthday and lapsed messages left for the owner.
            for kind, rule in followup_rules(salon=salon).items():
                rule.enabled = kind in {"thanks", "next_visit"}
                rule.save()
            customers_made = []
            for index, ((family, family_kana), (given, given_kana)) in enumerate(names):
                customer = customer_create(
                    salon=salon,
                    actor=owner.user,
                    data={
                        "name": f"{family} {given}",
                        "kana": f"{family_kana} {given_kana}",
                        "phone": f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                        "email": f"guest{index + 1:02d}@example.jp",
                        "birthday": datetime.date(
                            rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28)
                        ),
                        "gender": rng.choice(["female", "female", "female", "male", "no_answer"]),
                        "postcode": f"150-{rng.randint(1, 48):04d}",
                        "address": "東京都渋谷区神宮前{}-{}-{}".format(*rng.sample(range(1, 20), 3)),
                        "allergies": rng.choice(
                            ["", "", "", "ジアミンアレルギー（パッチテスト陽性 2025年）", "頭皮が敏感。"]
                        ),
                        "memo": rng.choice(
                            [
                                "",
                                "カラー剤でしみやすい。",
                                "短めの会話を好まれる。",
                                "お子様連れで来店されることあり。",
                            ]
                        ),
                    },
                )
                customers_made.append(customer)
                for visit in range(rng.randint(1, 4)):
                    self.make_karte(
                        rng,
                        salon,
                        customer,
                        rng.choice([owner, stylist]),
                        today - datetime.timedelta(days=20 + visit * 45 + rng.randint(0, 20)),
                    )
            self.make_notices(salon, owner, customers_made)
            self.make_sheets(rng, salon, owner, customers_made)
            analytics_roll_up(salon=salon)
        return salon

    def make_sheets(self, rng, salon, owner, customers):
        """The hair sheet: two new customers' sheets waiting at the counter (one of them already a
        customer by phone), and one regular's sheet sent from the app for today's visit."""
        sheet_preset_apply(salon=salon, salon_type="hair", actor=owner.user)
        questions = sheet_questions(salon=salon)
        link, _token = sheet_link_create(salon=salon, actor=owner.user, single_use=False)
        regular = customers[0]
        for name, kana, phone, wish in (
            ("青木 さくら", "あおき さくら", "090-4821-7730", "肩につくくらいの長さで、軽くしたいです。"),
            (regular.name, regular.kana, regular.phone, "白髪が気になってきたので相談したいです。"),
        ):
            sheet_response_submit(
                salon=salon,
                source=ResponseSource.COUNTER,
                answers=_sheet_answers(questions, rng, wish),
                identity={"name": name, "kana": kana, "phone": phone},
                signature=_signature(rng),
                link=link,
            )
        sheet_response_submit(
            salon=salon,
            source=ResponseSource.APP,
            answers=_sheet_answers(questions, rng, "前回と同じカラーで、根元のリタッチをお願いします。"),
            identity={},
            signature=_signature(rng),
            customer=regular,
        )

    def make_notices(self, salon, owner, customers):
        now = timezone.now()
        day = datetime.timedelta(days=1)
        live = notice_create(
            salon=salon,
            actor=owner.user,
            title="年末年始の営業のお知らせ",
            body="12月31日〜1月3日はお休みをいただきます。\n年内のご予約はお早めにどうぞ。",
            starts_at=now - 3 * day,
            ends_at=now + 30 * day,
        )
        notice_create(
            salon=salon,
            actor=owner.user,
            title="冬のヘッドスパキャンペーン",
            body="乾燥する季節の頭皮ケアに。1月末までヘッドスパを20%オフでご案内しています。",
            starts_at=now + 7 * day,
            ends_at=now + 40 * day,
        )
        notice_create(
            salon=salon,
            actor=owner.user,
            title="秋のトリートメントフェア（終了）",
            body="たくさんのご利用ありがとうございました。",
            starts_at=now - 60 * day,
            ends_at=now - 30 * day,
        )
        if customers:
            # The customer `make run` prints a link code for, so the demo phone has both kinds.
            first = min(customers, key=lambda customer: customer.kana_sort)
            notice_create(
                salon=salon,
                actor=owner.user,
                title="ご来店ありがとうございました",
                body=f"{first.name}様、先日はご来店ありがとうございました。\nまたのご来店をお待ちしております。",
                starts_at=now - day,
                ends_at=now + 14 * day,
                customer=first,
            )
            # Half the customers have linked a phone, and most of them read the live notice; one
            # unlinked hers afterwards, so the notice list shows how such reads are counted.
            phones = [customer for customer in customers[: len(customers) // 2] if customer != first]
            for number, customer in enumerate(phones):
                issued = link_code_issue(salon=salon, customer=customer, issued_by=owner)
                device, _ = link_code_redeem(salon=salon, code=issued.code, user_agent=DEMO_PHONE)
                if number % 3 != 2:
                    notice_mark_read(notice=live, customer=customer)
                if number == 0:
                    device_revoke(device=device)
                else:
                    # Linked months ago, so that 「分析」 compares customers with and without the app.
                    Device.objects.filter(pk=device.pk).update(linked_at=now - 250 * day)

    def make_karte(self, rng, salon, customer, staff, date):
        actor = staff.user
        menu = rng.choice(MENUS)
        items = [ItemInput(kind=ItemKind.TEXT, text=rng.choice(NOTES), is_public=rng.random() < 0.6)]
        if rng.random() < 0.6:
            hair = rng.choice(HAIR_COLOURS)
            for tag, length in ((PhotoTag.BEFORE, rng.random()), (PhotoTag.AFTER, rng.random() * 0.6)):
                data = _nails(rng) if "ネイル" in menu else _portrait(rng, hair, length)
                asset, _ = image_asset_create(
                    salon=salon,
                    user=actor,
                    upload_key=uuid.uuid4(),
                    data=data,
                    kind=ImageKind.PHOTO,
                    copies_now=True,
                )
                items.append(
                    ItemInput(kind=ItemKind.PHOTO, image=asset, photo_tag=tag, is_public=rng.random() < 0.5)
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
                salon=salon,
                user=actor,
                upload_key=uuid.uuid4(),
                data=png,
                kind=ImageKind.ILLUSTRATION,
                copies_now=True,
            )
            items.append(
                ItemInput(
                    kind=ItemKind.ILLUSTRATION, image=asset, drawing=strokes, template="", is_public=False
                )
            )
        karte_create(
            salon=salon,
            actor=actor,
            customer=customer,
            treatment_date=date,
            staff=staff,
            # Menus on the salon's list are picked from it (with their prices); others are typed.
            menu="、".join(name for name in menu.split("、") if name not in self.menu_ids),
            menu_item_ids=[self.menu_ids[name] for name in menu.split("、") if name in self.menu_ids],
            nominated=rng.random() < 0.3,
            next_visit_weeks=rng.choice([None, 4, 6, 8]),
            items=items,
        )
