"""Shared set-up: two salons, each with an owner, a stylist and two customers, so that every
test can ask "and the other salon / the other customer can't"."""

import contextlib
import os
import subprocess
import tempfile
from dataclasses import dataclass

# Each test process writes photos into its own throw-away folder, never into var/media.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="karte-test-media-"))
# Background tasks run inside the request that asks for them (Huey's immediate mode, the real task
# code on an in-memory queue); tests of the worker itself start `manage.py run_huey` of their own.
os.environ.setdefault("KARTE_TASKS_IMMEDIATE", "1")

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_scopes import scope, scopes_disabled
from huey.contrib.djhuey import HUEY

from common import pagekeep
from customers.models import Customer
from salons.models import Salon, StaffMember, StaffRole

# Settings may be read before this file (pytest-django sets Django up first): say it to the queue too.
HUEY.immediate = True
# Every test runs with whole pages kept, as production does with Redis: a page a test sees again
# after a change must show the change. One process, so the in-memory cache is shared enough.
settings.PAGE_KEEP = True
pagekeep.install()


def pytest_report_header(config):
    endpoint = os.environ.get("KARTE_TEST_S3_ENDPOINT_URL")
    if endpoint:
        return f"object storage tests: a real S3 server, Ceph RGW at {endpoint}"
    return "object storage tests: moto's in-process S3 (no RGW on this machine)"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Through PgBouncer (scripts/with-pgbouncer): before the test databases are dropped, the
    bouncer lets go of its server connections to them, which would keep DROP DATABASE waiting."""
    yield
    admin = os.environ.get("KARTE_PGBOUNCER_ADMIN_URL")
    if not admin:
        return
    import psycopg
    from django.db import connections

    names = {connection.settings_dict["NAME"] for connection in connections.all()}
    for connection in connections.all():
        connection.close()
    with psycopg.connect(admin, autocommit=True, cursor_factory=psycopg.ClientCursor) as console:
        for name in names:
            console.execute(f"KILL {name}")
            console.execute(f"RESUME {name}")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class SalonWorld:
    salon: Salon
    owner: StaffMember
    stylist: StaffMember
    customer: Customer
    other_customer: Customer

    def client(self, member=None) -> Client:
        client = Client()
        client.force_login((member or self.owner).user)
        return client

    def scope(self):
        return scope(salon=self.salon)


def _make_world(slug: str, name: str, customer_names) -> SalonWorld:
    User = get_user_model()
    with scopes_disabled():
        salon = Salon.objects.create(name=name, slug=slug, customer_app_enabled=True)
        owner = StaffMember.objects.create(
            salon=salon,
            user=User.objects.create_user(username=f"{slug}-owner", password="pw-owner-123"),
            display_name=f"{name} オーナー",
            role=StaffRole.OWNER,
        )
        stylist = StaffMember.objects.create(
            salon=salon,
            user=User.objects.create_user(username=f"{slug}-stylist", password="pw-stylist-123"),
            display_name=f"{name} スタイリスト",
            role=StaffRole.STYLIST,
        )
        customers = []
        for number, (customer_name, kana, phone) in enumerate(customer_names, start=1):
            customer = Customer(salon=salon, number=number, name=customer_name, kana=kana, phone=phone)
            customer.refresh_search_fields()
            customer.save()
            customers.append(customer)
    return SalonWorld(salon, owner, stylist, customers[0], customers[1])


@pytest.fixture
def salon_a(db) -> SalonWorld:
    return _make_world(
        "salon-a",
        "サロンA",
        [("森川 紗季", "もりかわ さき", "090-1111-2222"), ("佐藤 美咲", "さとう みさき", "080-3333-4444")],
    )


@pytest.fixture
def salon_b(db) -> SalonWorld:
    return _make_world(
        "salon-b",
        "サロンB",
        [("鈴木 一郎", "すずき いちろう", "070-5555-6666"), ("高橋 結衣", "たかはし ゆい", "090-7777-8888")],
    )


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    from common import ratelimit

    cache.clear()
    ratelimit._local_counts.clear()
    yield
    ratelimit._local_counts.clear()
    with contextlib.suppress(Exception):  # a test may have stopped its own cache server
        cache.clear()


@pytest.fixture
def salon_a_objects(salon_a):
    """One of everything salon A has: customer, karte with a photo, link code, phone, notice."""
    from followups.models import FollowUp
    from kartes.portfolio import portfolio_record
    from linking.models import Device
    from menus.services import menu_category_save, menu_item_save
    from transfer.exports import export_request
    from transfer.services import customer_import_stage

    from .factories import make_karte, make_notice, make_sheet_response
    from .linking_helpers import issue, linked_phone

    karte = make_karte(salon_a, public_text=True)
    linked_phone(salon_a)
    with scope(salon=salon_a.salon):
        # Agreed at the salon to be shown as its work: 「作品用に保存」 answers the roles that may.
        photo = portfolio_record(item=karte.items.get(kind="photo"), actor=salon_a.owner.user, allowed=True)
        device = Device.objects.get()
        menu_item = menu_item_save(
            salon=salon_a.salon,
            actor=salon_a.owner.user,
            category=menu_category_save(salon=salon_a.salon, actor=None, name="サロンAの秘密カテゴリ"),
            name="サロンAの秘密メニュー",
            price=12345,
        )
        staged = customer_import_stage(
            salon=salon_a.salon,
            actor=salon_a.owner.user,
            filename="サロンAの台帳.csv",
            data="氏名,フリガナ\r\nサロンAの取込客,とりこみ\r\n".encode(),
        )
        export = export_request(
            salon=salon_a.salon, actor=salon_a.owner.user, kind="customers", encoding="cp932"
        )
        followup = FollowUp.objects.get(kind="lapsed", customer=salon_a.customer)
    sheet_response = make_sheet_response(salon_a, name="サロンAの問診客", question="サロンAの秘密質問")
    return {
        "sheet_response": sheet_response,
        "question": sheet_response.question,
        "followup": followup,
        "customer_import": staged,
        "export": export,
        "menu_item": menu_item,
        "menu_category": menu_item.category,
        "notice": make_notice(salon_a, customer=salon_a.customer, title=f"{salon_a.customer.name}様へ"),
        "link_code": issue(salon_a).link_code,
        "device": device,
        "customer": salon_a.customer,
        "karte": karte,
        "item": photo,
        "photo_item": photo,
        "image": photo.image,
        "stylist": salon_a.stylist,
        "data_request": _data_request(salon_a),
        "staff_session": _staff_session(salon_a),
        "passkey": _passkey(salon_a),
        "appointment": _appointment(salon_a),
        "booking_request": _booking_request(salon_a),
        "duplicate_pair": _duplicate_pair(salon_a),
        "merge": _merge(salon_a),
        "listed_customer": _listed_customer(salon_a),
    }


def _listed_customer(world):
    """A customer the retention period lists to be erased."""
    import datetime

    from customers.services import customer_create

    with scope(salon=world.salon):
        customer = customer_create(
            salon=world.salon, actor=None, data={"name": "保存 期限", "kana": "ほぞん"}
        )
        Customer.objects.filter(pk=customer.pk).update(retention_due_on=datetime.date(2027, 1, 1))
        return customer


def _merge(world):
    """Two records of another customer, merged (and not yet undone)."""
    from customers.merge import customer_merge
    from customers.services import customer_create

    with scope(salon=world.salon):
        kept, second = (
            customer_create(
                salon=world.salon, actor=None, data={"name": "二重 登録", "kana": "にじゅう とうろく"}
            )
            for _ in range(2)
        )
        return customer_merge(target=kept, source=second, choices={}, actor=world.owner.user)


def _duplicate_pair(world):
    """A second record of the first customer, as a sheet filed as a new customer makes one."""
    from customers.duplicates import pairs_of
    from customers.services import customer_create

    with scope(salon=world.salon):
        again = customer_create(
            salon=world.salon,
            actor=None,
            data={"name": world.customer.name, "kana": world.customer.kana, "phone": world.customer.phone},
        )
        [(pair, _other)] = pairs_of(again)
        return pair


def _booking_request(world):
    import datetime

    from appointments.services import booking_request_create

    with scope(salon=world.salon):
        asked, _booked = booking_request_create(
            salon=world.salon,
            customer=world.customer,
            staff=world.stylist,
            menus=[],
            times=[datetime.datetime(2026, 12, 12, 2, 0, tzinfo=datetime.UTC)],
            note="サロンAの予約リクエスト",
        )
        return asked


def _appointment(world):
    import datetime

    from appointments.services import appointment_book

    with scope(salon=world.salon):
        return appointment_book(
            salon=world.salon,
            actor=None,
            customer=world.customer,
            staff=world.stylist,
            starts_at=datetime.datetime(2026, 12, 10, 10, 0, tzinfo=datetime.UTC),
            note="サロンAの予約メモ",
        )


def _passkey(world):
    from accounts.models import Passkey

    return Passkey.objects.create(
        user=world.owner.user, credential_id="c2Fsb24tYS1rZXk", public_key=b"\x01", name="サロンAのiPad"
    )


def _staff_session(world):
    from accounts.models import StaffSession

    world.client()  # a login of salon A's owner: one line of their signed-in devices
    return StaffSession.objects.filter(user=world.owner.user).latest("pk")


def _data_request(world):
    from privacy.services import data_request_create

    with scope(salon=world.salon):
        return data_request_create(customer=world.customer)


@pytest.fixture
def smtp_server(settings):
    """Mail goes over SMTP to a server this test started (tests/smtp_server.py), not to memory."""
    from .smtp_server import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def own_storage(tmp_path, settings):
    """Photo storage in a folder of this test's own, so that walking it sees this test's files only."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "common.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "m"},
        },
    }
    return tmp_path


@pytest.fixture
def small_disk(tmp_path, settings):
    """A 2 MB tmpfs as the photo storage (mounting needs root, which the test machines have)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()

    def mount(*options):
        subprocess.run(["umount", str(mount_point)], capture_output=True, check=False)
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", ",".join(["size=2m", *options]), "tmpfs", str(mount_point)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"cannot mount a small filesystem here: {result.stderr.strip()}")

    mount()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "common.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": mount_point},
        },
    }
    yield mount_point, mount
    subprocess.run(["umount", str(mount_point)], capture_output=True, check=False)


class HeldQueue(list):
    """Task requests kept instead of sent; run() runs them with the real task code, as the worker does."""

    def run(self) -> None:
        while self:
            task, args = self.pop(0)
            task.call_local(*args)


@pytest.fixture
def held_queue(monkeypatch) -> HeldQueue:
    """Holds the task queue, so a test can look at the moment between an upload and its copies."""
    from kartes import tasks

    held = HeldQueue()

    def hold(task, *args):
        held.append((task, args))
        return True

    monkeypatch.setattr(tasks, "enqueue_safely", hold)
    return held


@pytest.fixture
def push_service(settings):
    """A push service of the test's own on 127.0.0.1 (tests/push_service.py), and VAPID keys for it."""
    from push.keys import vapid_pair_new

    from .push_service import PushService

    public, private = vapid_pair_new()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.PUSH_SERVICE_HOSTS = ["127.0.0.1"]
    settings.PUSH_INSECURE_HOSTS = ["127.0.0.1"]
    service = PushService(vapid_public_key=public).start()
    yield service
    service.stop()
