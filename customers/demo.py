"""The demo salon's customers: Japanese names with furigana, phones, birthdays, a few notes."""

import datetime

from common.demo import Demo, demo_step

from .services import customer_create

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


@demo_step(20)
def demo_customers(demo: Demo) -> None:
    """Customers with their details, a few with allergies or a staff memo."""
    rng = demo.random("customers")
    names = list(zip(FAMILY, GIVEN, strict=True))[: demo.customer_count]
    for index, ((family, family_kana), (given, given_kana)) in enumerate(names):
        demo.customers.append(
            customer_create(
                salon=demo.salon,
                actor=demo.owner.user,
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
        )
