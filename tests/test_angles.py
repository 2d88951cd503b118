"""Photo angles (正面, 右サイド, バック, 手元 …): the salon's own list, kept by the owner; each photo
names its angle in the editor; the before/after slider pairs photos of the same angle only, on the
staff page and on the phone; a private photo's angle never reaches the phone."""

import datetime
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from customers.models import Customer
from kartes.models import Karte, KarteItem, PhotoAngle
from kartes.services import ItemInput, image_asset_create, karte_create

from .factories import image_bytes
from .linking_helpers import app_url, linked_phone
from .test_kartes import karte_post, upload

HAIR = ["正面", "右サイド", "左サイド", "バック", "トップ"]


def _angles(world) -> list[str]:
    with scope(salon=world.salon):
        return list(PhotoAngle.objects.filter(salon=world.salon).values_list("name", flat=True))


def _angle(world, name) -> PhotoAngle:
    with scope(salon=world.salon):
        return PhotoAngle.objects.get(salon=world.salon, name=name)


def test_a_new_salon_starts_with_a_hair_salons_angles(salon_a):
    assert _angles(salon_a) == HAIR


def test_the_owner_adds_renames_moves_and_removes_angles(salon_a):
    client = salon_a.client()
    url = reverse("staff:angle_settings")
    assert client.post(url, {"action": "add", "name": " 斜め 45度 "}).status_code == 302
    assert _angles(salon_a)[-1] == "斜め 45度"
    slanted = _angle(salon_a, "斜め 45度")
    client.post(url, {"action": "rename", "angle": slanted.pk, "name": "斜め前"})
    client.post(url, {"action": "up", "angle": slanted.pk})
    assert _angles(salon_a) == ["正面", "右サイド", "左サイド", "バック", "斜め前", "トップ"]
    client.post(url, {"action": "delete", "angle": _angle(salon_a, "トップ").pk})
    assert _angles(salon_a) == ["正面", "右サイド", "左サイド", "バック", "斜め前"]
    page = client.get(url).content.decode()
    assert "撮影アングル" in page and 'value="斜め前"' in page


def test_a_refused_name_says_why_and_keeps_what_was_typed(salon_a):
    client = salon_a.client()
    url = reverse("staff:angle_settings")
    response = client.post(url, {"action": "add", "name": "正面"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "「正面」はすでに一覧にあります。" in body
    side = _angle(salon_a, "右サイド")
    response = client.post(url, {"action": "rename", "angle": side.pk, "name": "バック"})
    assert response.status_code == 400
    assert (
        f'id="angle-name-{side.pk}" name="name" maxlength="40" required value="バック"'
        in response.content.decode()
    )
    assert client.post(url, {"action": "add", "name": "   "}).status_code == 400
    assert (
        "アングルの名前を入力してください。"
        in client.post(url, {"action": "add", "name": ""}).content.decode()
    )
    assert _angles(salon_a) == HAIR


def test_a_kind_of_salons_angles_are_added_once(salon_a):
    client = salon_a.client()
    url = reverse("staff:angle_settings")
    client.post(url, {"action": "preset", "salon_type": "nail"})
    assert _angles(salon_a) == [*HAIR, "手元", "足元"]
    client.post(url, {"action": "preset", "salon_type": "eyelash"})
    assert _angles(salon_a) == [*HAIR, "手元", "足元", "目元"]  # 正面 is there already
    response = client.post(url, {"action": "preset", "salon_type": "nail"}, follow=True)
    assert "すべて一覧にあります。" in response.content.decode()


def test_only_the_owner_changes_the_list_and_never_another_salons(salon_a, salon_b):
    url = reverse("staff:angle_settings")
    assert salon_a.client(salon_a.stylist).post(url, {"action": "add", "name": "斜め"}).status_code == 403
    theirs = _angle(salon_b, "正面")
    owner = salon_a.client()
    for action in ("rename", "up", "down", "delete"):
        response = owner.post(url, {"action": action, "angle": theirs.pk, "name": "乗っ取り"})
        assert response.status_code == 404
    assert _angles(salon_b) == HAIR
    for nasty in ("abc", "-1", "1e9", "", "٣", "9" * 30):
        assert owner.post(url, {"action": "delete", "angle": nasty}).status_code == 404


def test_the_editor_saves_each_photos_angle_and_the_history_shows_it(salon_a):
    client = salon_a.client()
    photo = upload(client)
    side = _angle(salon_a, "右サイド")
    editor = client.get(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})).content
    assert f'<option value="{side.pk}">右サイド</option>'.encode() in editor
    data = karte_post(salon_a, [{"kind": "photo", "image": photo, "angle": str(side.pk)}])
    response = client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data)
    assert response.status_code == 302
    with scope(salon=salon_a.salon):
        item = KarteItem.objects.get()
    assert item.angle == side
    page = client.get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})).content.decode()
    assert "写真 ・ 右サイド" in page
    edit = client.get(reverse("staff:karte_edit", kwargs={"pk": item.karte_id})).content.decode()
    assert f'<option value="{side.pk}" selected>右サイド</option>' in edit


def test_another_salons_angle_is_not_taken(salon_a, salon_b):
    client = salon_a.client()
    photo = upload(client)
    theirs = _angle(salon_b, "正面")
    data = karte_post(salon_a, [{"kind": "photo", "image": photo, "angle": str(theirs.pk)}])
    response = client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data)
    assert response.status_code == 200  # the editor again, with what was entered and why not
    body = response.content.decode()
    assert "items-0-angle" in body and 'class="error" role="alert"' in body
    with scope(salon=salon_a.salon):
        assert not Karte.objects.exists()


def test_a_removed_angles_photos_keep_their_place_without_one(salon_a):
    client = salon_a.client()
    photo = upload(client)
    back = _angle(salon_a, "バック")
    data = karte_post(salon_a, [{"kind": "photo", "image": photo, "angle": str(back.pk)}])
    client.post(reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk}), data)
    client.post(reverse("staff:angle_settings"), {"action": "delete", "angle": back.pk})
    with scope(salon=salon_a.salon):
        item = KarteItem.objects.get()
    assert item.angle is None and item.image_id is not None


def _karte_with(world, photos, customer: Customer | None = None, day: int = 20) -> Karte:
    """A karte of photos given as (before/after, angle name or None, public)."""
    with scope(salon=world.salon):
        items = []
        for tag, angle, public in photos:
            asset, _new = image_asset_create(
                salon=world.salon,
                user=world.owner.user,
                upload_key=uuid.uuid4(),
                data=image_bytes(),
                kind="photo",
                copies_now=True,
            )
            chosen = PhotoAngle.objects.get(salon=world.salon, name=angle) if angle else None
            items.append(ItemInput(kind="photo", image=asset, photo_tag=tag, angle=chosen, is_public=public))
        return karte_create(
            salon=world.salon,
            customer=customer or world.customer,
            staff=world.stylist,
            actor=world.owner.user,
            treatment_date=datetime.date(2026, 11, day),
            menu="カット",
            items=items,
        )


def _slider_images(body: str) -> list[str]:
    start = body.find('<section class="compare')
    if start < 0:
        return []
    section = body[start : body.find("</section>", start)]
    found = [part.split("/")[0] for part in section.split("/images/")[1:]]
    return list(dict.fromkeys(found))  # each photo once, though its src and srcset name it again


def test_the_slider_pairs_a_before_and_an_after_of_the_same_angle(salon_a):
    karte = _karte_with(
        salon_a, [("before", "正面", True), ("before", "右サイド", True), ("after", "右サイド", True)]
    )
    with scope(salon=salon_a.salon):
        items = karte.items.select_related("angle")
        photos = {f"{item.angle}{item.photo_tag}": str(item.image_id) for item in items}
    side_by_side = [photos["右サイドafter"], photos["右サイドbefore"]]
    staff = salon_a.client().get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
    assert _slider_images(staff.content.decode()) == side_by_side
    phone = linked_phone(salon_a).get(app_url(salon_a, "karte", pk=karte.pk)).content.decode()
    assert _slider_images(phone) == side_by_side
    assert 'class="compare__angle" data-compare-angle>右サイド<' in phone


def test_a_side_is_never_compared_with_a_front(salon_a):
    _karte_with(salon_a, [("before", "正面", True), ("after", "右サイド", True)])
    staff = salon_a.client().get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
    assert _slider_images(staff.content.decode()) == []


def test_photos_without_angles_are_compared_as_before(salon_a):
    _karte_with(salon_a, [("before", None, True), ("after", None, True)])
    staff = salon_a.client().get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
    assert len(_slider_images(staff.content.decode())) == 2


def _compare_choices(body: str, karte: Karte) -> list[tuple[str, str]]:
    """(label, image id) of each photo the karte's slider offers for its left side, in order."""
    phone, staff = f'data-karte="{karte.pk}"', f'id="karte-{karte.pk}"'
    start = body.find(phone) if phone in body else body.find(staff)
    section = body[body.find('<section class="compare', start) :]
    section = section[: section.find("</section>")]
    if "data-compare-with" not in section:
        return []
    options = section.split("<option ")[1:]
    return [
        (option.split(">", 1)[1].split("</option>")[0].strip(), option.split("/images/")[1].split("/")[0])
        for option in options
    ]


def test_this_visit_is_compared_with_a_chosen_earlier_visit_of_the_same_angle(salon_a):
    first = _karte_with(salon_a, [("", "正面", True), ("", "右サイド", True), ("", "バック", True)], day=3)
    second = _karte_with(salon_a, [("", "正面", False)], day=10)
    _karte_with(salon_a, [("", "正面", True)], customer=salon_a.other_customer, day=12)
    this = _karte_with(salon_a, [("", "正面", True), ("", "バック", True)], day=17)
    staff = salon_a.client().get(reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk}))
    body = staff.content.decode()
    # This visit's front against the last visit's front first, then the earlier fronts; then its back
    # against the earlier backs. The side view and the other customer's photo are never offered.
    assert _compare_choices(body, this) == [
        ("2026年11月10日", _image(second, angle="正面")),
        ("2026年11月3日", _image(first, angle="正面")),
        ("2026年11月3日", _image(first, angle="バック")),
    ]
    section = body[body.find('<section class="compare', body.find(f'id="karte-{this.pk}"')) :]
    section = section[: section.find("</section>")]
    assert section.index(_image(this, angle="正面")) < section.index(_image(second, angle="正面"))
    assert '<optgroup label="正面">' in section and '<optgroup label="バック">' in section
    back = section.split('<optgroup label="バック">')[1]
    assert f'data-after-src="/images/{_image(this, angle="バック")}/medium/"' in back
    assert "data-compare-label>2026年11月10日<" in section and ">今回<" in section
    # The earliest visit has nothing earlier to be compared with.
    assert _compare_choices(body, first) == []
    # The phone and the staff preview of it: public photos only, so the private one of the 10th is
    # never offered.
    phone = linked_phone(salon_a).get(app_url(salon_a, "karte", pk=this.pk)).content.decode()
    assert _compare_choices(phone, this) == [
        ("2026年11月3日", _image(first, angle="正面")),
        ("2026年11月3日", _image(first, angle="バック")),
    ]
    assert _image(second, angle="正面") not in phone
    preview = (
        salon_a.client()
        .get(reverse("staff:customer_preview_phone", kwargs={"pk": salon_a.customer.pk}))
        .content.decode()
    )
    assert _compare_choices(preview, this) == _compare_choices(phone, this)
    assert _image(second, angle="正面") not in preview


def test_a_visits_own_before_comes_first_then_the_earlier_visits(salon_a, django_assert_num_queries):
    earlier = _karte_with(salon_a, [("after", "右サイド", True)], day=3)
    this = _karte_with(salon_a, [("before", "右サイド", True), ("after", "右サイド", True)], day=17)
    phone = linked_phone(salon_a)
    body = phone.get(app_url(salon_a, "karte", pk=this.pk)).content.decode()
    assert _compare_choices(body, this) == [
        ("ビフォー", _image(this, "before", "右サイド")),
        ("2026年11月3日", _image(earlier, "after", "右サイド")),
    ]
    assert "data-compare-label>ビフォー<" in body and ">アフター<" in body
    # The phone's karte page asks the same few queries with many earlier visits as with one.
    url = app_url(salon_a, "karte", pk=this.pk)
    with CaptureQueriesContext(connection) as one:
        phone.get(url + "?one")
    for day in range(4, 12):
        _karte_with(salon_a, [("", "右サイド", True)], day=day)
    with django_assert_num_queries(len(one.captured_queries)):
        body = phone.get(url + "?many").content.decode()
    assert len(_compare_choices(body, this)) == 1 + 9


def test_a_page_without_photos_by_angle_does_not_look_for_earlier_ones(salon_a):
    _karte_with(salon_a, [("before", None, True), ("after", None, True)], day=3)
    karte = _karte_with(salon_a, [("", None, True)], day=17)
    pages = [
        (salon_a.client(), reverse("staff:customer_detail", kwargs={"pk": salon_a.customer.pk})),
        (linked_phone(salon_a), app_url(salon_a, "karte", pk=karte.pk)),
    ]
    for client, url in pages:
        with CaptureQueriesContext(connection) as asked:
            assert client.get(url).status_code == 200
        assert not any('"angle_id" IS NOT NULL' in query["sql"] for query in asked.captured_queries)


def test_the_phone_shows_the_angle_of_public_photos_only(salon_a):
    karte = _karte_with(salon_a, [("", "バック", True), ("", "トップ", False)])
    phone = linked_phone(salon_a).get(app_url(salon_a, "karte", pk=karte.pk)).content.decode()
    assert '<span class="cv-tag">バック</span>' in phone
    assert "トップ" not in phone


def _timeline(body: str) -> list[tuple[str, list[str]]]:
    """(angle, [image ids]) of each row of a photos-by-angle page, in order."""
    rows = []
    for section in body.split('<section class="timeline"')[1:]:
        angle = section.split('class="timeline__angle">')[1].split("<")[0]
        images = [part.split("/")[0] for part in section.split("</section>")[0].split("/images/")[1:]]
        rows.append((angle, list(dict.fromkeys(images))))
    return rows


def _image(karte, tag="", angle=None) -> str:
    with scope(salon=karte.salon):
        items = karte.items.filter(kind="photo", photo_tag=tag)
        return str(items.get(angle__name=angle).image_id if angle else items.get().image_id)


def test_photos_line_up_by_angle_one_a_visit_oldest_first(salon_a, django_assert_max_num_queries):
    first = _karte_with(salon_a, [("", "正面", True), ("", "バック", False)], day=3)
    second = _karte_with(salon_a, [("before", "正面", True), ("after", "正面", True)], day=10)
    third = _karte_with(salon_a, [("", "正面", False), ("", None, True)], day=17)
    _karte_with(salon_a, [("", "正面", True)], customer=salon_a.other_customer, day=18)
    staff = salon_a.client()
    url = reverse("staff:customer_timeline", kwargs={"pk": salon_a.customer.pk})
    body = staff.get(url).content.decode()
    assert _timeline(body) == [
        ("正面", [_image(first, angle="正面"), _image(second, "after"), _image(third, angle="正面")]),
        ("バック", [_image(first, angle="バック")]),
    ]
    assert "非公開" in body  # staff see private photos, marked
    phone = linked_phone(salon_a)
    shown = phone.get(app_url(salon_a, "timeline")).content.decode()
    assert _timeline(shown) == [("正面", [_image(first, angle="正面"), _image(second, "after")])]
    assert app_url(salon_a, "timeline") in phone.get(app_url(salon_a, "visible")).json()["urls"]
    # The same few queries for four visits as for three.
    _karte_with(salon_a, [("", "トップ", True)], day=24)
    with django_assert_max_num_queries(12):
        assert staff.get(url + "?again").status_code == 200


def test_a_receptionist_does_not_see_photos_by_angle(salon_a):
    from salons.models import StaffMember

    with scope(salon=salon_a.salon):
        user = type(salon_a.owner.user).objects.create_user(username="salon-a-reception")
        member = StaffMember.objects.create(
            salon=salon_a.salon, user=user, display_name="受付", role="reception"
        )
    url = reverse("staff:customer_timeline", kwargs={"pk": salon_a.customer.pk})
    assert salon_a.client(member).get(url).status_code == 403


def test_the_editor_offers_an_angle_as_soon_as_it_is_added_or_renamed(salon_a):
    """The editor's item forms are kept drawn (common.fragments): the salon's list is part of their key."""
    client = salon_a.client()
    url = reverse("staff:karte_create", kwargs={"customer_pk": salon_a.customer.pk})
    assert "斜め前" not in client.get(url).content.decode()
    client.post(reverse("staff:angle_settings"), {"action": "add", "name": "斜め前"})
    # The new item's template and the camera's list.
    assert client.get(url).content.decode().count(">斜め前</option>") == 2
    back = _angle(salon_a, "バック")
    client.post(reverse("staff:angle_settings"), {"action": "rename", "angle": back.pk, "name": "後ろ"})
    editor = client.get(url).content.decode()
    assert ">後ろ</option>" in editor and ">バック</option>" not in editor


def _ghost(client, world, angle, karte=None):
    query = {"angle": _angle(world, angle).pk, **({"karte": karte.pk} if karte else {})}
    url = reverse("staff:customer_ghost", kwargs={"pk": world.customer.pk})
    return client.get(url, query)


def test_the_camera_is_given_the_last_photo_of_the_same_angle_as_a_staff_image(salon_a):
    older = _karte_with(salon_a, [("", "正面", True)], day=3)
    last = _karte_with(salon_a, [("before", "正面", False), ("after", "正面", False)], day=10)
    editing = _karte_with(salon_a, [("", "正面", False)], day=17)
    _karte_with(salon_a, [("", "正面", True)], customer=salon_a.other_customer, day=20)
    client = salon_a.client()
    found = _ghost(client, salon_a, "正面", karte=editing)
    assert found["Cache-Control"] == "private, no-store"
    expected = reverse("staff:image", kwargs={"pk": _image(last, "after"), "size": "large"})
    assert found.json() == {"url": expected, "date": "2026年11月10日"}  # private photos too: staff only
    assert client.get(expected).status_code == 200
    assert (
        _ghost(client, salon_a, "正面").json()["url"].startswith(f"/images/{_image(editing, angle='正面')}/")
    )
    assert _ghost(client, salon_a, "バック").json() == {"url": None}
    assert older is not None


def test_no_one_else_is_given_a_ghost(salon_a, salon_b):
    _karte_with(salon_a, [("", "正面", False)], day=3)
    theirs = salon_b.client()
    url = reverse("staff:customer_ghost", kwargs={"pk": salon_a.customer.pk})
    assert theirs.get(url, {"angle": _angle(salon_a, "正面").pk}).status_code == 404
    assert type(theirs)().get(url, {"angle": _angle(salon_a, "正面").pk}).status_code == 302
    # Another salon's angle finds nothing of this customer.
    mine = salon_a.client()
    assert mine.get(url, {"angle": _angle(salon_b, "正面").pk}).json() == {"url": None}
    for nasty in ("正面", "9" * 30, "-1", ""):
        refused = mine.get(url, {"angle": nasty})
        assert refused.status_code == 400 and refused.json()["error"] == "アングルを選んでください。"
    assert mine.get(url, {"angle": _angle(salon_a, "正面").pk, "karte": "9" * 30}).status_code == 200
