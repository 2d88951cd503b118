"""The demo salon's notices: one live, one coming, one ended, one to a single customer, and reads."""

import datetime

from django.utils import timezone

from common.demo import Demo, demo_step
from linking.demo import first_customer

from .services import notice_create, notice_mark_read


@demo_step(50)
def demo_notices(demo: Demo) -> None:
    now, day = timezone.now(), datetime.timedelta(days=1)
    salon, actor = demo.salon, demo.owner.user
    live = notice_create(
        salon=salon,
        actor=actor,
        title="年末年始の営業のお知らせ",
        body="12月31日〜1月3日はお休みをいただきます。\n年内のご予約はお早めにどうぞ。",
        starts_at=now - 3 * day,
        ends_at=now + 30 * day,
    )
    notice_create(
        salon=salon,
        actor=actor,
        title="冬のヘッドスパキャンペーン",
        body="乾燥する季節の頭皮ケアに。1月末までヘッドスパを20%オフでご案内しています。",
        starts_at=now + 7 * day,
        ends_at=now + 40 * day,
    )
    notice_create(
        salon=salon,
        actor=actor,
        title="秋のトリートメントフェア（終了）",
        body="たくさんのご利用ありがとうございました。",
        starts_at=now - 60 * day,
        ends_at=now - 30 * day,
    )
    if not demo.customers:
        return
    # The customer `make run` prints a link code for, so the demo phone has both kinds.
    first = first_customer(demo)
    notice_create(
        salon=salon,
        actor=actor,
        title="ご来店ありがとうございました",
        body=f"{first.name}様、先日はご来店ありがとうございました。\nまたのご来店をお待ちしております。",
        starts_at=now - day,
        ends_at=now + 14 * day,
        customer=first,
    )
    # Most customers with the app read the live notice.
    for number, customer in enumerate(demo.linked):
        if number % 3 != 2:
            notice_mark_read(notice=live, customer=customer)
