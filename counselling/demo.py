"""The demo salon's counselling sheet: the hair preset, two sheets waiting at the counter and one
sent from the app, each signed on a drawn pad."""

import datetime
import io
import math
import random

from PIL import Image, ImageDraw

from common.demo import Demo, demo_step

from .models import QuestionKind, ResponseSource
from .selectors import sheet_questions
from .services import sheet_link_create, sheet_preset_apply, sheet_response_submit


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


@demo_step(60)
def demo_sheets(demo: Demo) -> None:
    """The hair sheet: two new customers' sheets waiting at the counter (one of them already a
    customer by phone), and one regular's sheet sent from the app for today's visit."""
    rng, salon, owner = demo.random("sheets"), demo.salon, demo.owner
    sheet_preset_apply(salon=salon, salon_type="hair", actor=owner.user)
    questions = sheet_questions(salon=salon)
    link, _token = sheet_link_create(salon=salon, actor=owner.user, single_use=False)
    regular = demo.customers[0]
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
