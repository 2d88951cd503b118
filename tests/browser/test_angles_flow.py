"""Photo angles in Chromium at iPad size: the owner adds one on 「撮影アングル」, the editor offers the
salon's list on each photo, and the history shows the angle chosen."""

import datetime
import re
import uuid

from django_scopes import scope
from playwright.sync_api import expect

from kartes.models import KarteItem, PhotoAngle
from kartes.services import ItemInput, image_asset_create, karte_create
from tests.factories import image_bytes

from .conftest import log_in
from .test_accessibility import violations
from .test_karte_flow import photo_file  # noqa: F401  (the fixture)


def test_the_owner_keeps_the_list_and_the_editor_offers_it(
    live_server,
    tablet,
    salon_a,
    photo_file,  # noqa: F811
    screenshot,
):
    page = tablet
    log_in(page, live_server, "salon-a-owner", "pw-owner-123")
    page.goto(f"{live_server.url}/salon/angles/")
    expect(page.get_by_role("heading", level=1)).to_have_text("撮影アングル")
    page.get_by_label("新しいアングル").fill("正面")
    page.get_by_role("button", name="追加", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("「正面」はすでに一覧にあります。")
    expect(page.get_by_label("新しいアングル")).to_have_value("正面")  # kept, to be corrected
    page.get_by_label("新しいアングル").fill("斜め前")
    page.get_by_role("button", name="追加", exact=True).click()
    expect(page.locator(".message")).to_contain_text("「斜め前」を追加しました。")
    page.get_by_role("button", name="斜め前 を上へ").click()
    names = page.locator(".question-row input[name=name]")
    expect(names).to_have_count(6)
    expect(names.nth(4)).to_have_value("斜め前")
    screenshot(page, "50-photo-angles", full_page=True)

    page.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/kartes/new/")
    expect(page.locator("#karte-form")).to_have_attribute("data-ready", "true")
    page.locator("#photo-input").set_input_files(str(photo_file))
    photo = page.locator('.editor-item[data-kind="photo"]')
    expect(photo).to_have_attribute("data-upload", "done")
    angle = photo.get_by_label("アングル")
    listed = ["—", "正面", "右サイド", "左サイド", "バック", "斜め前", "トップ"]
    expect(angle.locator("option")).to_have_text(listed)
    angle.select_option(label="右サイド")
    photo.get_by_label("ビフォー／アフター").select_option(label="アフター")
    screenshot(page, "51-editor-angle")
    page.get_by_role("button", name="カルテを保存").click()
    expect(page.locator(".message")).to_contain_text("カルテを保存しました")
    expect(page.locator(".item-tile__kind").first).to_have_text(re.compile(r"写真 ・ アフター ・ 右サイド"))
    with scope(salon=salon_a.salon):
        assert str(KarteItem.objects.get(kind="photo").angle) == "右サイド"


LOADED = "() => [...document.querySelectorAll('.timeline img')].every((img) => img.naturalWidth > 0)"


def test_the_phone_lines_up_public_photos_by_angle_and_compares_a_chosen_visit(
    live_server, tablet, link_phone, salon_a, screenshot
):
    colours = [(230, 190, 160), (200, 150, 120), (170, 120, 100), (140, 95, 80)]
    images: dict[tuple[int, str], str] = {}
    with scope(salon=salon_a.salon):
        front, back = PhotoAngle.objects.get(name="正面"), PhotoAngle.objects.get(name="バック")
        for month, colour in zip((7, 8, 9, 10), colours, strict=True):
            items = []
            for angle, shade in ((front, colour), (back, colour[::-1])):
                asset, _new = image_asset_create(
                    salon=salon_a.salon, user=salon_a.owner.user, upload_key=uuid.uuid4(),
                    data=image_bytes(size=(960, 1200), color=shade), kind="photo", copies_now=True,
                )  # fmt: skip
                items.append(ItemInput(kind="photo", image=asset, angle=angle, is_public=month != 9))
                images[(month, angle.name)] = str(asset.pk)
            october = karte_create(
                salon=salon_a.salon, actor=salon_a.owner.user, customer=salon_a.customer,
                staff=salon_a.stylist, treatment_date=datetime.date(2026, month, 12), menu="カット",
                items=items,
            )  # fmt: skip
    phone = link_phone(salon_a, salon_a.customer)
    phone.get_by_role("link", name="ヘアスタイルの記録").click()
    row = phone.get_by_role("region", name="正面")
    expect(row.get_by_role("img")).to_have_count(3)  # September's photos are private
    expect(row.locator("figcaption")).to_have_text(["2026年7月12日", "2026年8月12日", "2026年10月12日"])
    phone.wait_for_function(LOADED)
    screenshot(phone, "54-phone-photos-by-angle")

    # October's karte sets its front against August's (September's is private), or July's, chosen;
    # or its back against the earlier backs.
    phone.goto(phone.url.replace("timeline/", f"kartes/{october.pk}/"))
    compare = phone.get_by_role("region", name="ビフォー・アフター (正面)")
    before = compare.locator(".compare__before")
    expect(before).to_have_attribute("src", re.compile(images[(8, "正面")]))
    chooser = compare.get_by_label("比べる写真")
    expect(chooser.locator("optgroup")).to_have_count(2)
    expect(chooser.locator("optgroup[label='正面'] option")).to_have_text(["2026年8月12日", "2026年7月12日"])
    chooser.select_option(index=1)
    expect(before).to_have_attribute("src", re.compile(images[(7, "正面")]))
    expect(before).to_have_attribute("alt", "2026年7月12日")
    expect(compare.locator("[data-compare-label]")).to_have_text("2026年7月12日")
    phone.wait_for_function("() => document.querySelector('.compare__before').naturalWidth > 0")
    screenshot(phone, "56-phone-compare-with-an-earlier-visit")
    assert violations(phone) == []  # axe-core, with 「比べる写真」 shown

    log_in(tablet, live_server, "salon-a-owner", "pw-owner-123")
    tablet.goto(f"{live_server.url}/customers/{salon_a.customer.pk}/")
    staff_compare = tablet.locator(f"#karte-{october.pk} .compare")
    staff_chooser = staff_compare.get_by_label("比べる写真")
    dates = ["2026年9月12日", "2026年8月12日", "2026年7月12日"]
    expect(staff_chooser.locator("optgroup[label='正面'] option")).to_have_text(dates)
    expect(staff_chooser.locator("optgroup[label='バック'] option")).to_have_text(dates)
    staff_chooser.select_option(index=4)  # August's back
    staff_before = staff_compare.locator(".compare__before")
    expect(staff_before).to_have_attribute("src", f"/images/{images[(8, 'バック')]}/medium/")
    after = staff_compare.locator(".compare__stage img").first
    expect(after).to_have_attribute("src", f"/images/{images[(10, 'バック')]}/medium/")
    expect(staff_compare.locator(".compare__angle")).to_have_text("バック")
    expect(staff_compare).to_have_attribute("aria-label", "ビフォー・アフター (バック)")
    staff_compare.scroll_into_view_if_needed()
    tablet.wait_for_function(
        f"() => document.querySelector('#karte-{october.pk} .compare__before').naturalWidth > 0"
    )
    screenshot(tablet, "57-staff-compare-with-an-earlier-visit")
    assert violations(tablet) == []
    tablet.get_by_role("link", name="アングル別の記録").click()
    staff_row = tablet.get_by_role("region", name="正面")
    expect(staff_row.get_by_role("img")).to_have_count(4)
    expect(staff_row.locator("figcaption").nth(2)).to_have_text("2026年9月12日 ・ 非公開")
    tablet.wait_for_function(LOADED)  # each photo answers from its own address
    screenshot(tablet, "55-staff-photos-by-angle")
