"""Print pages for salons that also keep paper: one karte, or a customer's history, on A4 with photos."""

import datetime
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from kartes.models import ItemKind
from kartes.services import ItemInput, karte_create

from .factories import make_karte


def test_a_karte_prints_with_its_photo_items_and_the_cautions(salon_a):
    with salon_a.scope():
        Customer.objects.filter(pk=salon_a.customer.pk).update(allergies="ジアミンアレルギー")
    karte = make_karte(salon_a, text="根元は明るめに")
    with salon_a.scope():
        photo = karte.items.get(kind="photo")
    page = salon_a.client().get(reverse("staff:karte_print", args=[karte.pk])).content.decode()
    assert reverse("staff:image", args=[photo.image_id, "medium"]) in page
    assert "根元は明るめに" in page and "ジアミンアレルギー" in page and "00001" in page
    assert "css/print" in page and "印刷" in page


def test_the_history_prints_newest_first_in_a_fixed_number_of_queries(salon_a):
    client = salon_a.client()
    url = reverse("staff:customer_history_print", args=[salon_a.customer.pk])
    make_karte(salon_a, date=datetime.date(2026, 9, 1))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(2, 8):
        with salon_a.scope():
            karte_create(
                salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
                treatment_date=datetime.date(2026, 9, day), staff=salon_a.stylist, menu="カット",
                items=[ItemInput(kind=ItemKind.RECIPE, recipe=[{"brand": f"薬剤{day}"}])],
            )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.index("2026年9月7日") < page.index("2026年9月1日")
    assert "薬剤7" in page and "スタッフのみ" in page


def test_the_history_print_is_bounded(salon_a, monkeypatch):
    from staff.views import customers

    monkeypatch.setattr(customers, "PRINT_KARTES", 2)
    for day in (1, 2, 3):
        make_karte(salon_a, date=datetime.date(2026, 9, day))
    page = salon_a.client().get(reverse("staff:customer_history_print", args=[salon_a.customer.pk]))
    assert len(page.context["kartes"]) == 2
    assert "新しい順に 2 件のカルテを印刷しています。" in page.content.decode()


def test_the_print_stylesheet_is_a4_and_hides_the_screen_bar():
    css = Path(str(finders.find("css/print.css"))).read_text(encoding="utf-8")
    assert "@page { size: A4 portrait;" in css
    assert ".print-bar { display: none; }" in css
    assert "break-inside: avoid" in css
