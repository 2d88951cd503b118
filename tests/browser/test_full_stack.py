"""The production stack, booted as an operator would run it, and the core flow once in Chromium.

nginx (deploy/nginx/karte.conf) in front of two app servers (gunicorn), one background worker
(`manage.py run_huey`), a PostgreSQL primary with a synchronous standby, each behind a PgBouncer in
transaction mode (deploy/postgres-pair; the app reaches them with one multi-host address and reads
its exports from the standby), a Redis of the test's own (cache, rate limits and task queue), and
Ceph RGW as the photo store: log in, upload a photo, publish it, link a phone, see the photo
on the phone, unpublish it, and it is gone. Halfway, one app server is stopped: nginx carries on
with the other. Nothing is mocked; it needs PostgreSQL with PgBouncer, RGW, nginx and redis-server (make
test has them on this machine; without one of them the test is skipped and says which).
"""

import os
import re
import shutil
import uuid
from types import SimpleNamespace

import boto3
import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from tests.app_process import OWNER, AppProcess, wait_for
from tests.nginx_process import NginxProcess
from tests.postgres_pair import PostgresPair, missing
from tests.redis_process import RedisProcess
from tests.smtp_server import SmtpServer, link_in, text_of

from .conftest import PHONE, TABLET, log_in

RGW = os.environ.get("KARTE_TEST_S3_ENDPOINT_URL", "")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
    ),
    pytest.mark.skipif(not RGW, reason="needs Ceph RGW (deploy/rgw; make test starts it)"),
    pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
    pytest.mark.skipif(bool(missing()), reason=missing() or "-"),
]

CUSTOMER = """
from customers.models import Customer
from salons.models import Salon
salon = Salon.objects.get(slug="process")
customer = Customer(salon=salon, name="山田 花子", kana="やまだ はなこ")
customer.refresh_search_fields()
customer.save()
print(customer.pk)
"""


OWNER_EMAIL = """
from django.contrib.auth import get_user_model
get_user_model().objects.filter(username="process-owner").update(email="owner@process.example.jp")
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """One stack for the module's tests on each test process (it takes a minute to boot); each
    test leaves it whole for the next."""
    tmp_path = tmp_path_factory.mktemp("stack")
    smtp = SmtpServer().start()
    pair = PostgresPair().start()
    redis_server = RedisProcess()
    redis_server.start()
    bucket = f"karte-stack-{uuid.uuid4().hex[:10]}"
    s3 = boto3.client(
        "s3", endpoint_url=RGW, aws_access_key_id=os.environ["KARTE_TEST_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["KARTE_TEST_S3_SECRET_ACCESS_KEY"], region_name="us-east-1",
    )  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    static_root = tmp_path / "static"
    env = {
        # As deploy/systemd/karte.env.example, on one machine and plain http on localhost.
        "KARTE_PRODUCTION": "1",
        "SECRET_KEY": "full-stack-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": redis_server.url,
        "KARTE_TASKS_IMMEDIATE": "0",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": RGW,
        "S3_ACCESS_KEY_ID": os.environ["KARTE_TEST_S3_ACCESS_KEY_ID"],
        "S3_SECRET_ACCESS_KEY": os.environ["KARTE_TEST_S3_SECRET_ACCESS_KEY"],
        "S3_REGION": "us-east-1",
        "STATIC_ROOT": str(static_root),
        "KARTE_ACCEL_REDIRECT": "1",
        "TRUSTED_PROXIES": "127.0.0.1",
        # Mail over SMTP to a server of this test's own (aiosmtpd), sent by the worker.
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
        # Through the bouncers to whichever server is the primary; heavy reads on the standby.
        "DB_POOLED": "1",
        "DB_CONN_MAX_AGE": "60",
        "DATABASE_REPLICA_URL": pair.env["DATABASE_REPLICA_URL"],
    }
    first = AppProcess(tmp_path / "app1", extra_env=env, database_url=pair.env["DATABASE_URL"])
    second = AppProcess(tmp_path / "app2", extra_env=env, share_with=first)
    nginx = None
    try:
        first.prepare()
        first.manage("collectstatic", "--noinput", "-v", "0")
        customer_pk = int(first.shell(CUSTOMER))
        first.shell(OWNER_EMAIL)
        first.start(preload=True)
        second.start(preload=True)
        first.start_task_worker()
        nginx = NginxProcess(
            tmp_path / "nginx", app_port=[first.port, second.port], media=first.media, static=static_root
        )
        nginx.start()
        yield SimpleNamespace(
            url=f"http://localhost:{nginx.port}",
            apps=(first, second),
            pair=pair,
            customer_pk=customer_pk,
            smtp=smtp,
            stored=lambda: sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])),
        )
    finally:
        if nginx is not None:
            nginx.stop()
        second.stop()
        first.stop()
        redis_server.stop()
        pair.stop()
        smtp.stop()


def test_static_files_leave_nginx_compressed_and_cached_for_good(stack):
    login_page = requests.get(f"{stack.url}/login/", timeout=10).text
    script = re.search(r'src="(/static/[^"]+\.[0-9a-f]{12}\.js)"', login_page)
    assert script, "the pages link hashed static files"
    response = requests.get(stack.url + script.group(1), headers={"Accept-Encoding": "br"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "immutable" in response.headers["Cache-Control"]
    gzipped = requests.get(stack.url + script.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert gzipped.headers["Content-Encoding"] == "gzip"


def test_a_forgotten_password_is_mailed_by_the_worker_and_its_link_works(stack, browser):
    # In Chromium: production cookies are Secure, which a browser keeps for http://localhost.
    context = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(f"{stack.url}/login/")
        page.get_by_role("link", name="パスワードをお忘れの方").click()
        page.get_by_label("メールアドレス").fill("owner@process.example.jp")
        page.get_by_role("button", name="リンクを送る").click()
        expect(page.get_by_role("heading", name="メールをご確認ください")).to_be_visible()

        def resets():  # the stack's inbox may also hold the sign-in notice of another test's login
            return [m for m in stack.smtp.to("owner@process.example.jp") if "/password/reset/" in text_of(m)]

        arrived = stack.smtp.inbox.arrived
        with arrived:  # the worker (run_huey) sends it over SMTP; waited for, bounded
            assert arrived.wait_for(resets, timeout=30)
        (mail,) = resets()
        link = link_in(mail, "/password/reset/")
        assert stack.url + link in text_of(mail)  # the address the request came through nginx with
        page.goto(stack.url + link)
        expect(page.get_by_role("heading", name="新しいパスワードを設定")).to_be_visible()
    finally:
        context.close()


def test_upload_publish_link_see_unpublish_gone(stack, browser, tmp_path):
    photo = tmp_path / "visit.jpg"
    Image.new("RGB", (2400, 1800), (180, 90, 60)).save(photo, format="JPEG", quality=90)
    tablet_context = browser.new_context(viewport=TABLET, locale="ja-JP", timezone_id="Asia/Tokyo")
    tablet_context.set_default_timeout(30_000)
    tablet = tablet_context.new_page()
    phone_context = browser.new_context(**PHONE)
    phone_context.set_default_timeout(30_000)
    phone = phone_context.new_page()
    try:
        log_in(tablet, stack, *OWNER)
        customer_url = f"{stack.url}/customers/{stack.customer_pk}/"
        tablet.goto(customer_url)
        tablet.get_by_role("link", name="新規カルテ").first.click()
        expect(tablet.locator("#karte-form")).to_have_attribute("data-ready", "true")
        tablet.locator("#photo-input").set_input_files(str(photo))
        item = tablet.locator('.editor-item[data-kind="photo"]')
        expect(item).to_have_attribute("data-upload", "done")
        # The worker made the copies: the item no longer says 処理中.
        expect(item.locator(".upload-status")).to_have_attribute("data-state", "done")
        item.locator(".public-switch").click()
        tablet.get_by_role("button", name="カルテを保存").click()
        expect(tablet.locator(".message")).to_contain_text("カルテを保存しました")
        # The original and the four display copies are in the bucket; the app machines keep none.
        stored = stack.stored()
        assert len([key for key in stored if key.startswith("originals/")]) == 1
        assert len([key for key in stored if key.startswith("display/")]) == 4
        media = stack.apps[0].media
        assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))

        # One app server goes away; nginx sends everything to the other from now on.
        stack.apps[0].stop_server()

        tablet.goto(customer_url)
        tablet.get_by_role("button", name="QRコード表示").click()
        tablet.get_by_role("button", name="QRコード生成").click()
        number = tablet.locator(".numeric-code strong").inner_text()
        phone.goto(f"{stack.url}/s/process/app/")
        phone.get_by_label("または8桁の番号を入力").fill(number)
        phone.get_by_role("button", name="連携する").click()
        expect(phone.get_by_role("heading", name="山田 花子様")).to_be_visible()
        phone.locator(".karte-card").first.click()
        shown = phone.locator(".cv-item--photo img")
        expect(shown).to_have_count(1)
        shown.scroll_into_view_if_needed()
        phone.wait_for_function(
            # The copy the srcset picks for a 390 px wide phone at twice the density: the 800 px one.
            "img => img.complete && img.naturalWidth > 0 && img.currentSrc.endsWith('/medium/')",
            arg=shown.element_handle(),
        )
        image_url = shown.get_attribute("src")
        assert phone.request.get(stack.url + image_url).status == 200

        tablet.goto(customer_url)
        tablet.locator(".item-tile--photo .state").click()
        expect(tablet.locator(".item-tile--photo .state")).to_have_text("非公開")
        phone.reload()
        expect(phone.locator(".cv-item--photo")).to_have_count(0)
        assert phone.request.get(stack.url + image_url).status == 404
        # The standby has every save (it wrote each before the save was acknowledged) and replays it.
        replayed = lambda: stack.pair.query("standby", "SELECT is_public FROM kartes_karteitem") == [(False,)]  # noqa: E731
        wait_for(replayed, timeout=10, what="the standby to replay the change")
    finally:
        tablet_context.close()
        phone_context.close()
        if stack.apps[0].process.poll() is not None:
            stack.apps[0].start(preload=True)  # whole again for the next test
