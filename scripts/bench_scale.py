"""Flat at any size: every staff and phone page at 10k and at 1M kartes, side by side (PostgreSQL).

Two databases on the server of DATABASE_URL, made once and kept between runs (karte_bench_10k and
karte_bench_1m): customers are written with COPY, kartes, their items, reads and the activity log
with INSERT … SELECT on the server. At 1M: one salon with 50,000 customers and 500,000 kartes,
1,000 more salons with 500,000 kartes between them, and a salon of 100,000 customers with 1,000
notices and 100,000 reads; at 10k the same shape, a hundredth of it. A real server (gunicorn, 2
workers) answers each; the report gives each page's p50 at both sizes and their ratio, and at 1M
the requests per second each page serves against /alive/ (a bare view through the same middleware).

    python scripts/bench_scale.py            # measure (makes the databases first if needed)
    python scripts/bench_scale.py --rebuild  # make them again
"""

import datetime
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zoneinfo
from pathlib import Path
from urllib.parse import quote, unquote

import bench_lighthouse
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.redis_process import RedisProcess  # noqa: E402

SHAPE_VERSION = "7"
SYLLABLES = list("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ")
KANJI = list("山田中川本村井上林森木石原小松高橋佐藤鈴伊渡辺加野吉清水斎藤花子美咲彩香奈子陽菜結愛")
SIZES = {
    "10k": {
        "big": 1_000,
        "others": 10,
        "other_customers": 50,
        "per_customer": 10,
        "crowd": 1_000,
        # More notices than a page shows, so that both sizes render the same page.
        "notices": 40,
        # The big salon's book: five staff, eight an hour-long visit each a day, going back from LEDGER_DAY.
        "appointments": 2_000,
        "answered_requests": 100,
    },
    "1m": {
        "big": 50_000,
        "others": 1_000,
        "other_customers": 50,
        "per_customer": 10,
        "crowd": 100_000,
        "notices": 1_000,
        "appointments": 200_000,
        "answered_requests": 10_000,
    },
}
OWNER_PASSWORD = "bench-owner-pw-2026"
LEDGER_DAY = datetime.date(2027, 3, 31)  # the day and week measured: booked alike at both sizes
WAITING_REQUESTS = 60  # more than the request list shows, at both sizes
REQUESTS = 40


def admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("bench_scale needs DATABASE_URL pointing at PostgreSQL.")
    return url


def database_url(name: str) -> str:
    return re.sub(r"/[^/]*$", f"/karte_bench_{name}", admin_url())


def one(conn, sql: str, params=None):
    """The single value a query returns."""
    row = conn.execute(sql, params).fetchone()
    assert row is not None, sql
    return row[0]


def _ready(name: str) -> bool:
    try:
        with psycopg.connect(database_url(name)) as conn:
            return one(conn, "SELECT version FROM bench_shape") == SHAPE_VERSION
    except psycopg.Error:
        return False


def media_root(name: str) -> Path:
    return ROOT / "var" / "bench-media" / name


def _env(name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MEDIA_ROOT": str(media_root(name)),
    }


def migrate(name: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=_env(name), check=True
    )


def measure_on_each(script: str) -> dict[str, dict]:
    """Run `script --measure NAME` on each bench database (made first if needed, brought up to the
    code), in a process of its own; what each printed last, read as JSON."""
    results = {}
    for name in SIZES:
        if not _ready(name):
            print(f"Making karte_bench_{name} …", flush=True)
            build(name)
        migrate(name)
        env = {**os.environ, "DATABASE_URL": database_url(name), "DJANGO_SETTINGS_MODULE": "config.settings"}
        output = subprocess.run(
            [sys.executable, script, "--measure", name],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[name] = json.loads(output.strip().splitlines()[-1])
    return results


def build(name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "karte_bench_{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "karte_bench_{name}"')
    shutil.rmtree(media_root(name), ignore_errors=True)
    env = _env(name)
    migrate(name)
    subprocess.run([sys.executable, __file__, "--generate", name], cwd=ROOT, env=env, check=True)


def generate(name: str) -> None:
    """Runs in a process of its own, with Django set up on the bench database."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_scopes import scopes_disabled

    from common.text import digits_only, normalize_kana, normalize_search
    from linking.services import link_code_issue, link_code_redeem
    from notices.models import Notice
    from salons.models import Salon, StaffMember, StaffRole

    shape = SIZES[name]
    started = time.perf_counter()
    password = make_password(OWNER_PASSWORD)
    now = datetime.datetime.now(datetime.UTC)
    with scopes_disabled():
        big = Salon.objects.create(name="Big Salon", slug="big", customer_app_enabled=True)
        crowd = Salon.objects.create(name="Crowd Salon", slug="crowd", customer_app_enabled=True)
        others = Salon.objects.bulk_create(
            [
                Salon(name=f"Salon {i}", slug=f"salon-{i}", customer_app_enabled=True)
                for i in range(shape["others"])
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, "
                "is_staff, is_active, date_joined) SELECT %s, false, 'owner-' || s.slug, '', '', '', false, "
                "true, now() FROM salons_salon s",
                [password],
            )
            cursor.execute(
                "INSERT INTO salons_staffmember (salon_id, user_id, display_name, role, is_active, "
                "created_at, can_view_personal, language) "
                "SELECT s.id, u.id, 'オーナー', %s, true, now(), true, 'ja' FROM salons_salon s "
                "JOIN auth_user u ON u.username = 'owner-' || s.slug",
                [StaffRole.OWNER],
            )
        # Customers with COPY: every field as the app would have written it.
        columns = (
            "salon_id, name, kana, phone, email, memo, last_visit_on, created_at, updated_at, "
            "kana_sort, search_text, phone_digits, other_phone, gender, postcode, address, allergies, "
            "dup_phone, dup_email, dup_name"
        )
        counts = {
            big.pk: shape["big"],
            crowd.pk: shape["crowd"],
            **{s.pk: shape["other_customers"] for s in others},
        }
        rng = random.Random(2026)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY customers_customer ({columns}) FROM STDIN") as copy,
        ):
            for salon_id, count in counts.items():
                for _ in range(count):
                    # Names as varied as a real customer book, so that search is as selective.
                    family, given = rng.randint(2, 3), rng.randint(2, 3)
                    kana = normalize_kana(
                        "".join(rng.choices(SYLLABLES, k=family))
                        + " "
                        + "".join(rng.choices(SYLLABLES, k=given))
                    )
                    name_ = "".join(rng.choices(KANJI, k=2)) + " " + "".join(rng.choices(KANJI, k=2))
                    phone = f"0{rng.choice('789')}0{rng.randint(0, 99_999_999):08d}"
                    copy.write_row(
                        (
                            salon_id, name_, kana, phone, "", "", datetime.date(2026, 1, 1), now, now,
                            kana.replace(" ", ""), normalize_search(f"{name_} {kana}"), digits_only(phone),
                            "", "", "", "", "", digits_only(phone), "",
                            f"{normalize_search(name_)}|{normalize_search(kana)}",
                        )
                    )  # fmt: skip
        with connection.cursor() as cursor:
            # Kartes: `per_customer` visits for each customer of the big salon and of the 1,000 others.
            cursor.execute(
                "INSERT INTO kartes_karte (salon_id, customer_id, treatment_date, staff_id, menu, version, "
                "menu_lines, nominated, created_at, updated_at) "
                "SELECT c.salon_id, c.id, date '2025-01-01' + g * 30, m.id, 'カット', 1, '[]'::jsonb, false, "
                "now(), now() FROM customers_customer c JOIN salons_staffmember m ON m.salon_id = c.salon_id "
                "CROSS JOIN generate_series(1, %s) g WHERE c.salon_id <> %s",
                [shape["per_customer"], crowd.pk],
            )
            cursor.execute(
                "UPDATE customers_customer c SET last_visit_on = k.latest FROM (SELECT customer_id, "
                "max(treatment_date) latest FROM kartes_karte GROUP BY customer_id) k "
                "WHERE k.customer_id = c.id"
            )
            cursor.execute(
                "INSERT INTO kartes_karteitem (salon_id, karte_id, kind, position, is_public, text, caption, "
                "photo_tag, template, published_at, created_at, updated_at, portfolio) SELECT salon_id, "
                "id, 'text', 0, true, '次回は6週間後がおすすめです。', '', '', '', now(), now(), now(), '' "
                "FROM kartes_karte"
            )
            # In random order: a real log interleaves the salons' entries.
            cursor.execute(
                "INSERT INTO audit_auditentry (salon_id, actor_id, actor_name, action, target_type, "
                "target_id, summary, data, created_at) SELECT k.salon_id, NULL, 'オーナー', 'karte.create', "
                "'kartes.karte', "
                "k.id::text, '', '{}'::jsonb, now() FROM kartes_karte k ORDER BY random()"
            )
        notices = Notice.objects.bulk_create(
            [
                Notice(
                    salon=crowd,
                    title=f"お知らせ {i}",
                    body="本文",
                    starts_at=now - datetime.timedelta(days=1),
                    ends_at=now + datetime.timedelta(days=365),
                )
                for i in range(shape["notices"])
            ]
        )
        with connection.cursor() as cursor:
            # 100 reads for each notice (at 1M: 100,000), from the salon's first customers.
            cursor.execute(
                "INSERT INTO notices_noticeread (salon_id, notice_id, customer_id, read_at) "
                "SELECT n.salon_id, n.id, c.id, now() FROM notices_notice n "
                "CROSS JOIN LATERAL (SELECT id FROM customers_customer "
                "WHERE salon_id = n.salon_id ORDER BY id LIMIT 100) c"
            )
        assert notices
        phones = {}
        for salon in (big, crowd):
            from customers.models import Customer

            customer = Customer.objects.filter(salon=salon).order_by("id")[42]
            owner = StaffMember.objects.get(salon=salon)
            issued = link_code_issue(salon=salon, customer=customer, issued_by=owner)
            _device, credential = link_code_redeem(salon=salon, code=issued.code)
            phones[salon.slug] = (customer.pk, credential)
        add_photos(big, phones["big"][0], now)
        add_appointments(big, shape, phones["big"][0], password)
        with connection.cursor() as cursor:
            # What autovacuum reaches soon after a load: statistics, and the visibility map that lets
            # the list read its index alone.
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CREATE TABLE bench_shape (version text, phones text)")
            phone_list = ";".join(f"{slug}:{pk}:{cred}" for slug, (pk, cred) in phones.items())
            cursor.execute("INSERT INTO bench_shape VALUES (%s, %s)", [SHAPE_VERSION, phone_list])
    print(f"karte_bench_{name}: made in {time.perf_counter() - started:.0f} s", flush=True)


def add_appointments(salon, shape: dict, phone_customer: int, password: str) -> None:
    """The big salon's 予約台帳: four stylists besides the owner, `appointments` visits going back
    from LEDGER_DAY (those before today done), requests from the app (answered ones by the size,
    WAITING_REQUESTS waiting at both), and the measured phone's own coming appointment."""
    from django.contrib.auth import get_user_model

    from appointments.models import Appointment, AppointmentRequest, AppointmentSource, RequestState
    from customers.models import Customer
    from salons.models import StaffMember, StaffRole

    tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    User = get_user_model()
    for n in range(1, 5):
        StaffMember.objects.create(
            salon=salon,
            user=User.objects.create(username=f"stylist-{n}-{salon.slug}", password=password),
            display_name=f"スタイリスト{n}",
            role=StaffRole.STYLIST,
        )
    staff = list(StaffMember.objects.filter(salon=salon).order_by("pk"))
    customers = list(Customer.objects.filter(salon=salon).order_by("pk").values_list("pk", flat=True)[:5_000])
    lines = [{"id": None, "name": "カット", "price": 5500, "minutes": 60}]
    today = datetime.date.today()
    batch: list[Appointment] = []
    per_day = len(staff) * 8
    for offset in range(shape["appointments"] // per_day):
        day = LEDGER_DAY - datetime.timedelta(days=offset)
        for index, member in enumerate(staff):
            for hour in range(8):
                start = datetime.datetime.combine(day, datetime.time(10 + hour), tzinfo=tz)
                customer = customers[(offset * per_day + index * 8 + hour) % len(customers)]
                batch.append(
                    Appointment(
                        salon=salon, staff=member, customer_id=customer, starts_at=start,
                        ends_at=start + datetime.timedelta(hours=1), menu_lines=lines,
                        state="done" if day < today else "booked",
                    )
                )  # fmt: skip
        if len(batch) >= 10_000:
            Appointment.objects.bulk_create(batch)
            batch = []
    Appointment.objects.bulk_create(batch)
    moment = datetime.datetime.combine(LEDGER_DAY, datetime.time(11), tzinfo=tz)
    asked = [
        AppointmentRequest(
            salon=salon, customer_id=customers[n % len(customers)], menu_lines=lines, minutes=60,
            times=[moment.isoformat()], state=RequestState.CONFIRMED, answered_at=moment,
        )
        for n in range(shape["answered_requests"])
    ] + [
        AppointmentRequest(
            salon=salon, customer_id=customers[n % len(customers)], menu_lines=lines, minutes=60,
            times=[(moment + datetime.timedelta(days=1, hours=h)).isoformat() for h in range(3)],
            note="前髪を少し短めに",
        )
        for n in range(WAITING_REQUESTS)
    ]  # fmt: skip
    AppointmentRequest.objects.bulk_create(asked, batch_size=5_000)
    # The phone measured has one coming appointment (pages() keeps it ten days ahead).
    Appointment.objects.create(
        salon=salon, customer_id=phone_customer, staff=staff[1], menu_lines=lines,
        starts_at=moment + datetime.timedelta(days=30), ends_at=moment + datetime.timedelta(days=30, hours=1),
        source=AppointmentSource.APP,
    )  # fmt: skip
    type(salon).objects.filter(pk=salon.pk).update(app_booking="requests")


def phone_photo(rng: random.Random) -> bytes:
    """A 3000×3750 JPEG of about 2.7 MB, as a phone takes it: the demo's portrait with texture at
    every scale, so that its display copies weigh what a real photo's do (noise alone would
    average away when shrunk)."""
    import pyvips

    from kartes.demo import HAIR_COLOURS, _portrait

    drawn = pyvips.Image.new_from_buffer(_portrait(rng, rng.choice(HAIR_COLOURS), rng.random()), "")
    photo = drawn.resize(3000 / drawn.width)
    width, height = photo.width, photo.height
    texture = None
    for scale, sigma in ((1, 4), (4, 6), (16, 8), (64, 8)):
        noise = pyvips.Image.gaussnoise(width // scale + 1, height // scale + 1, sigma=sigma, mean=0)
        noise = noise.resize(scale, kernel="linear").crop(0, 0, width, height)
        texture = noise if texture is None else texture + noise
    assert texture is not None
    return (photo + texture.bandjoin([texture, texture])).cast("uchar").jpegsave_buffer(Q=90)


def add_photos(salon, customer_id: int, now: datetime.datetime) -> None:
    """Before and after photos, shared with the customer, on each karte of the phone measured."""
    from kartes.models import ImageKind, ItemKind, Karte, KarteItem, PhotoTag
    from kartes.services import image_asset_create
    from salons.models import StaffMember

    owner = StaffMember.objects.get(salon=salon)
    rng = random.Random(7)
    sources = [phone_photo(rng) for _ in range(4)]
    kartes = Karte.objects.filter(customer_id=customer_id).order_by("-treatment_date")
    for number, karte in enumerate(kartes):
        for position, tag in enumerate((PhotoTag.BEFORE, PhotoTag.AFTER), start=1):
            asset, _ = image_asset_create(
                salon=salon,
                user=owner.user,
                upload_key=uuid.uuid4(),
                data=sources[(2 * number + position) % len(sources)],
                kind=ImageKind.PHOTO,
                copies_now=True,
            )
            KarteItem.objects.create(
                salon=salon, karte=karte, kind=ItemKind.PHOTO, position=position, image=asset,
                photo_tag=tag, is_public=True, published_at=now,
            )  # fmt: skip


class Server:
    def __init__(self, name: str, redis_url: str = "", **settings: str):
        self.name = name
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix=f"karte-bench-scale-{name}-"))
        env = {
            **_env(name),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "KARTE_TASKS_IMMEDIATE": "1",
            **settings,
        }
        env.pop("REDIS_URL", None)
        if redis_url:  # the cache shared by the workers, as production has it
            env["REDIS_URL"] = redis_url
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--preload"],
            cwd=ROOT, env=env, stdout=(self.folder / "server.log").open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url("/alive/"), timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start: {(self.folder / 'server.log').read_text()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def staff_session(server: Server, slug: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set("csrftoken", "k" * 32, domain="127.0.0.1", path="/")
    response = session.post(
        server.url("/login/"),
        data={"username": f"owner-{slug}", "password": OWNER_PASSWORD, "csrfmiddlewaretoken": "k" * 32},
        headers={"Referer": server.url("/login/")},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:300]
    return session


def phone_session(slug: str, credential: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set("karte_device", credential, domain="127.0.0.1", path=f"/s/{slug}/app/")
    return session


def pages(name: str) -> list[tuple[str, str, str]]:
    """(label, who, path) of every page measured; the same pages at both sizes."""
    with psycopg.connect(database_url(name)) as conn:
        phones = one(conn, "SELECT phones FROM bench_shape")
        karte = one(
            conn,
            "SELECT k.id FROM kartes_karte k JOIN salons_salon s ON s.id = k.salon_id "
            "WHERE s.slug = 'big' AND k.customer_id = %s ORDER BY k.treatment_date DESC LIMIT 1",
            [int(phones.split(";")[0].split(":")[1])],
        )
        notice = one(conn, "SELECT n.id FROM notices_notice n ORDER BY n.starts_at DESC, n.id DESC LIMIT 1")
        oldest_audit = one(
            conn,
            "SELECT min(a.id) + 200 FROM audit_auditentry a JOIN salons_salon s ON s.id = a.salon_id "
            "WHERE s.slug = 'big'",
        )
    big_customer = int(phones.split(";")[0].split(":")[1])
    with psycopg.connect(database_url(name)) as conn:
        row = conn.execute(
            "SELECT name, kana, phone FROM customers_customer WHERE id = %s", [big_customer]
        ).fetchone()
        stylist = one(
            conn,
            "SELECT m.id FROM salons_staffmember m JOIN salons_salon s ON s.id = m.salon_id "
            "WHERE s.slug = 'big' AND m.role = 'stylist' ORDER BY m.id LIMIT 1",
        )
        # The phone's own appointment, ten days ahead whenever the bench runs (inside the app's
        # deadline for changes), at 9:00 in Tokyo, before the other bookings of the day.
        coming = one(
            conn,
            "UPDATE appointments_appointment SET starts_at = date_trunc('day', now()) + interval '10 days', "
            "ends_at = date_trunc('day', now()) + interval '10 days 1 hour' WHERE id = (SELECT max(id) "
            "FROM appointments_appointment WHERE customer_id = %s) RETURNING id",
            [big_customer],
        )
    assert row is not None
    person_name, person_kana, person_phone = row
    family_kana, family_name = person_kana.split(" ")[0], person_name.split(" ")[0]
    return [
        ("Staff: customer list, あいうえお order", "big", "/customers/"),
        ("Staff: customer list, by last visit", "big", "/customers/?sort=visit"),
        ("Staff: customer search by family name in kana", "big", f"/customers/?q={quote(family_kana)}"),
        ("Staff: customer search by full name", "big", f"/customers/?q={quote(person_name)}"),
        ("Staff: customer search by family name", "big", f"/customers/?q={quote(family_name)}"),
        ("Staff: customer search by phone (7 digits)", "big", f"/customers/?q={person_phone[-7:]}"),
        ("Staff: customer page (10 kartes)", "big", f"/customers/{big_customer}/"),
        ("Staff: karte editor", "big", f"/kartes/{karte}/edit/"),
        ("Staff: activity log, newest", "big", "/salon/audit/"),
        ("Staff: activity log, an old page", "big", f"/salon/audit/?before={oldest_audit}"),
        ("Staff: notice list (reads counted)", "crowd", "/notices/"),
        ("Phone: karte list", "phone-big", "/s/big/app/"),
        ("Phone: karte page", "phone-big", f"/s/big/app/kartes/{karte}/"),
        ("Phone: notice list", "phone-crowd", "/s/crowd/app/notices/"),
        ("Phone: notice", "phone-crowd", f"/s/crowd/app/notices/{notice}/"),
        ("Staff: 予約台帳, the day (5 staff + 指名なし)", "big", f"/appointments/?date={LEDGER_DAY}"),
        (
            "Staff: 予約台帳, one staff member's week",
            "big",
            f"/appointments/week/{stylist}/?date={LEDGER_DAY}",
        ),
        ("Staff: requests from the app", "big", "/appointments/requests/"),
        ("Phone: book a visit", "phone-big", "/s/big/app/booking/"),
        ("Phone: change the time", "phone-big", f"/s/big/app/appointments/{coming}/change/"),
    ]


SEARCH_SQL = (
    "SELECT id FROM customers_customer WHERE salon_id = %s AND archived_at IS NULL AND {match} "
    "ORDER BY lower(kana_sort), id LIMIT 1001"
)


def search_plans(name: str) -> dict[str, tuple[float, str]]:
    """Each search's own query, as the customer list runs it (customers.models.search): median
    execution time of 5 EXPLAIN ANALYZE runs, and the index it used."""
    from common.text import digits_only, normalize_search

    found = {}
    with psycopg.connect(database_url(name)) as conn:
        salon = one(conn, "SELECT id FROM salons_salon WHERE slug = 'big'")
        for label, _who, path in pages(name):
            if "search" not in label:
                continue
            query = unquote(path.split("?q=")[1])
            folded = normalize_search(query)
            if label.endswith("(7 digits)"):
                match, value = "phone_digits LIKE %s", f"%{digits_only(query)}%"
            elif len(folded) <= 2:
                match, value = (
                    "karte_search_grams(salon_id, search_text) @> ARRAY[%s]::text[]",
                    f"{salon}:{folded}",
                )
            else:
                match, value = "search_text LIKE %s", f"%{folded}%"
            times, plan = [], ""
            for _ in range(5):
                row = conn.execute(
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + SEARCH_SQL.format(match=match), [salon, value]
                ).fetchone()
                assert row is not None
                times.append(row[0][0]["Execution Time"])
                plan = json.dumps(row[0][0]["Plan"])
            indexes = sorted(set(re.findall(r'"Index Name": "(\w+)"', plan)))
            found[label] = (statistics.median(times), ", ".join(indexes) or "none")
    return found


def sessions(server: Server, name: str) -> dict[str, requests.Session]:
    with psycopg.connect(database_url(name)) as conn:
        phones = one(conn, "SELECT phones FROM bench_shape")
    found = {"big": staff_session(server, "big"), "crowd": staff_session(server, "crowd")}
    for entry in phones.split(";"):
        slug, _pk, credential = entry.split(":")
        found[f"phone-{slug}"] = phone_session(slug, credential)
    return found


ROW_MARKERS = re.compile(
    r'class="(?:customer-row|karte-card|card karte|notice-card|ledger__appointment|card booking-request)[" ]'
    r"|<tr[ >]"
)


def rows_shown(html: str) -> int:
    """The rows a page rendered: customers, kartes, notices or log entries (table rows less the
    header)."""
    found = len(ROW_MARKERS.findall(html))
    return found - html.count("<thead><tr")


def side_by_side(targets: dict[str, tuple[requests.Session, str]]) -> tuple[dict[str, float], dict[str, int]]:
    """p50 of each size's page, the sizes' requests taken in turns so that both see the same noise."""
    timings: dict[str, list[float]] = {name: [] for name in targets}
    rows = {}
    for name, (session, url) in targets.items():
        for _ in range(3):
            response = session.get(url, timeout=60)
            assert response.status_code == 200, (url, response.status_code)
        rows[name] = rows_shown(response.text)
    for _ in range(REQUESTS):
        for name, (session, url) in targets.items():
            start = time.perf_counter()
            session.get(url, timeout=60)
            timings[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(found) for name, found in timings.items()}, rows


def throughput(session: requests.Session, url: str, seconds: float = 3.0, threads: int = 2) -> float:
    return _throughput(session, url, seconds, threads)[0]


def _throughput(session: requests.Session, url: str, seconds: float, threads: int) -> tuple[float, float]:
    """Requests per second, and the share of answers given from a kept page (they say their Age)."""
    cookies = session.cookies
    done = []
    kept = []
    stop = time.monotonic() + seconds

    def run():
        own = requests.Session()
        own.cookies.update(cookies)
        count = from_kept = 0
        while time.monotonic() < stop:
            from_kept += "Age" in own.get(url, timeout=60).headers
            count += 1
        done.append(count)
        kept.append(from_kept)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / seconds, sum(kept) / max(sum(done), 1)


def throughputs(
    server: Server, by_who: dict[str, requests.Session], measured, kept_share: dict[str, float] | None = None
) -> dict[str, float]:
    """Each page's requests per second ÷ the bare view's, with the bare view measured just before and
    just after each page, so that both see the same machine."""
    rates = {}
    for label, who, path in measured:
        before = throughput(requests.Session(), server.url("/alive/"), seconds=1.5)
        page, share = _throughput(by_who[who], server.url(path), seconds=1.5, threads=2)
        after = throughput(requests.Session(), server.url("/alive/"), seconds=1.5)
        rates[label] = page / ((before + after) / 2)
        if kept_share is not None:
            kept_share[label] = share
    return rates


def main() -> list[str]:
    rebuild = "--rebuild" in sys.argv
    for name in SIZES:
        if rebuild or not _ready(name):
            print(f"Making karte_bench_{name} …", flush=True)
            build(name)
        else:
            migrate(name)  # kept from an earlier run: brought up to the code being measured
    results: dict[str, dict[str, float]] = {name: {} for name in SIZES}
    rows: dict[str, dict[str, int]] = {name: {} for name in SIZES}
    scores: dict[str, dict[str, dict]] = {name: {} for name in SIZES}
    servers = {name: Server(name, KARTE_PAGE_KEEP="0") for name in SIZES}
    try:
        by_who = {name: sessions(server, name) for name, server in servers.items()}
        measured = {name: pages(name) for name in SIZES}
        for index, (label, who, _path) in enumerate(measured["1m"]):
            targets = {
                name: (by_who[name][who], servers[name].url(measured[name][index][2])) for name in SIZES
            }
            found, shown = side_by_side(targets)
            for name in SIZES:
                results[name][label], rows[name][label] = found[name], shown[name]
                if who.startswith("phone"):
                    scores[name][label] = score(name, *targets[name])
        rates = throughputs(servers["1m"], by_who["1m"], measured["1m"])
    finally:
        for server in servers.values():
            server.stop()
    # Whole pages kept (common.pagekeep), with the Redis of production for the tables' versions.
    redis_server = RedisProcess()
    redis_server.start()
    kept = Server("1m", redis_url=redis_server.url, KARTE_PAGE_KEEP="1")
    try:
        kept_share: dict[str, float] = {}
        kept_rates = throughputs(kept, sessions(kept, "1m"), measured["1m"], kept_share)
    finally:
        kept.stop()
        redis_server.stop()
    # The same pages drawn afresh each time, as on a first visit: no cards kept (common.fragments).
    fresh = Server("1m", KARTE_FRAGMENT_STORE_MB="0", KARTE_PAGE_KEEP="0")
    try:
        first_rates = throughputs(fresh, sessions(fresh, "1m"), measured["1m"])
    finally:
        fresh.stop()
    with psycopg.connect(database_url("1m")) as conn:
        kartes = one(conn, "SELECT count(*) FROM kartes_karte")
        customers = one(conn, "SELECT count(*) FROM customers_customer")
        reads = one(conn, "SELECT count(*) FROM notices_noticeread")
    lines = [
        "",
        "## Every page at 10k and at 1M kartes",
        "",
        f"The large database: {kartes:,} kartes, {customers:,} customers, {reads:,} notice reads (see",
        "scripts/bench_scale.py for the shape). Each size has its own gunicorn (2 workers); p50 of",
        f"{REQUESTS} requests for each page at each size, the two sizes' requests taken in turns. Rows are",
        "what the page rendered (customers, kartes, notices, log entries) at 10k / 1M. The throughput is",
        "requests per second with two clients at 1M ÷ the same for /alive/, a view that does nothing,",
        "through the same middleware, measured just before and just after each page, on three servers:",
        "the page asked again with nothing changed (kept whole, common.pagekeep, with a Redis of its",
        "own for the tables' versions, as in production); the page drawn again from its kept cards",
        "(common.fragments, KARTE_PAGE_KEEP=0; the p50 columns are this server's); and drawn afresh",
        'each time, as on a first visit (also KARTE_FRAGMENT_STORE_MB=0). "From Redis" is the share of',
        "the kept server's answers given from a kept page (they carry an Age header); the others were",
        "drawn (the first ones, and one whenever the session's or phone's use is noted).",
        "",
        "| Page | Rows | p50 at 10k ms | p50 at 1M ms | 1M ÷ 10k | Throughput ÷ bare view: page kept | "
        "From Redis | Cards kept | Drawn afresh |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label in results["1m"]:
        small, large = results["10k"][label], results["1m"][label]
        lines.append(
            f"| {label} | {rows['10k'][label]} / {rows['1m'][label]} | {small:.1f} | {large:.1f} | "
            f"{large / small:.2f} | {kept_rates.get(label, 0):.3f} | {kept_share.get(label, 0):.1%} | "
            f"{rates.get(label, 0):.3f} | "
            f"{first_rates.get(label, 0):.3f} |"
        )
    lines += target_lines(results, rows, kept_rates, scores)
    plans = {name: search_plans(name) for name in SIZES}
    lines += [
        "",
        "The searches render more rows at 1M (their salon has 50 times the customers, so a family name",
        "matches more of them); their own query stays flat (EXPLAIN ANALYZE, median of 5):",
        "",
        "| Search | Query at 10k ms | Query at 1M ms | Index |",
        "| --- | ---: | ---: | --- |",
    ]
    for label, (query_1m, used) in plans["1m"].items():
        lines.append(
            f"| {label.removeprefix('Staff: ')} | {plans['10k'][label][0]:.2f} | {query_1m:.2f} | {used} |"
        )
    lines += [
        "",
        "## Phone pages in Lighthouse",
        "",
        f"Lighthouse {lighthouse_version()} (npm, tools/lighthouse) with Debian's Chromium, mobile preset",
        "(simulated slow 4G, a mid-range phone), one run per page at each size. The photos are before and",
        "after pictures of about 2.7 MB each as a phone takes them (3000×3750 JPEG); image bytes are",
        "what the page downloaded for its photos ÷ the size of those photos' originals.",
        "",
        "| Page | Performance 10k | Performance 1M | Accessibility 1M | LCP at 1M ms | Photos | "
        "Image bytes ÷ originals |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, lighthouse_1m in scores["1m"].items():
        lighthouse_10k = scores["10k"][label]
        share = f"{lighthouse_1m['image_share'] * 100:.2f}%" if lighthouse_1m["photos"] else "—"
        lines.append(
            f"| {label} | {lighthouse_10k['performance']} | {lighthouse_1m['performance']} | "
            f"{lighthouse_1m['accessibility']} | {lighthouse_1m['lcp_ms']:.0f} | {lighthouse_1m['photos']} | "
            f"{share} |"
        )
    return lines


def target_lines(results, rows, rates, scores) -> list[str]:
    """Each target of the issue against what this run measured, met or not, and why not."""
    ratios = {label: results["1m"][label] / results["10k"][label] for label in results["1m"]}
    same_rows = {label: ratio for label, ratio in ratios.items() if rows["10k"][label] == rows["1m"][label]}
    more_rows = sorted(set(ratios) - set(same_rows))
    phones = scores["1m"].values()
    list_share = scores["1m"]["Phone: karte list"]["image_share"]
    page_share = scores["1m"]["Phone: karte page"]["image_share"]
    slowest = min(rates, key=rates.__getitem__)

    def mark(met: bool) -> str:
        return "met" if met else "**not met**"

    worst = max(same_rows.values())
    lighthouse = min(min(found["performance"], found["accessibility"]) for found in phones)
    lines = [
        "",
        "### Targets",
        "",
        "| Target | Measured | |",
        "| --- | --- | --- |",
        f"| 1M ÷ 10k ≤ 1.3, pages rendering the same rows | worst {worst:.2f} | {mark(worst <= 1.3)} |",
    ]
    for label in more_rows:
        lines.append(
            f"| 1M ÷ 10k ≤ 1.3: {label.removeprefix('Staff: ')} | {ratios[label]:.2f}, rendering "
            f"{rows['1m'][label]} rows against {rows['10k'][label]} (its query: below) | "
            f"{mark(ratios[label] <= 1.3)} |"
        )
    lines += [
        f"| Lighthouse performance and accessibility ≥ 97 on every phone page at 1M | lowest {lighthouse} | "
        f"{mark(lighthouse >= 97)} |",
        f"| Photo bytes on the karte list ≤ 0.5% of the originals | {list_share * 100:.2f}% | "
        f"{mark(list_share <= 0.005)} |",
        f"| Photo bytes on the karte page ≤ 3% of the originals | {page_share * 100:.2f}% | "
        f"{mark(page_share <= 0.03)} |",
        f"| Every page ≥ 0.2 of the bare view's requests per second, asked again (page kept) | lowest "
        f"{rates[slowest]:.3f} ({slowest}); {sum(rate >= 0.2 for rate in rates.values())} of {len(rates)} "
        f"pages at 0.2 or more | {mark(rates[slowest] >= 0.2)} |",
    ]
    lines += [
        "",
        "How the pages get there. A page asked again with nothing changed is given whole from Redis",
        "(common.pagekeep): no template, two round trips to Redis, and for staff one query (the",
        "session, whose content is part of the key). Every query any process",
        "makes is seen, and every write moves its tables' versions for its salon, so a kept page is",
        "given only while nothing it was read from changed, for a minute at most. A page drawn again",
        "after a change reuses its unchanged cards (common.fragments, the middle column), with fewer",
        "queries than before (the login with its salon, the phone's device with its salon, the bar's",
        "two red counts in one, the customer page's phones with their push state). A page drawn the",
        "first time (the last column) pays its queries (3 to 16: the session and login, or the",
        "phone's device, then its own rows) and its templates: 0.03–0.16 of the bare view.",
    ]
    return lines


def lighthouse_version() -> str:
    return json.loads((bench_lighthouse.TOOL / "node_modules/lighthouse/package.json").read_text())["version"]


def score(name: str, session: requests.Session, url: str) -> dict:
    """Lighthouse's scores for a phone page, and its photos' bytes against their originals."""
    cookie = "; ".join(f"{key}={value}" for key, value in session.cookies.items())
    found = bench_lighthouse.run(url, cookie)
    sent: dict[str, int] = {}
    for image_url, size in found["images"]:
        matched = re.search(r"/images/([0-9a-f-]{36})/", image_url)
        if matched:
            sent[matched.group(1)] = sent.get(matched.group(1), 0) + size
    originals = 0
    if sent:
        with psycopg.connect(database_url(name)) as conn:
            originals = one(
                conn,
                "SELECT sum(original_size) FROM kartes_imageasset WHERE id = ANY(%s::uuid[])",
                [list(sent)],
            )
    return {
        **found,
        "photos": len(sent),
        "image_share": sum(sent.values()) / int(originals) if originals else 0,
    }


if __name__ == "__main__":
    os.chdir(ROOT)
    if len(sys.argv) > 2 and sys.argv[1] == "--generate":
        generate(sys.argv[2])
    else:
        print("\n".join(main()))
