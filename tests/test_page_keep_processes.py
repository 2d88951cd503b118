"""Kept pages across processes, as production runs them: gunicorn with two workers and a Redis of
the test's own for the tables' versions; the changes come from another process (`manage.py shell`,
as a task worker or a command would make them). A kept answer says its `Age`."""

import pytest
import requests

from .app_process import AppProcess
from .redis_process import RedisProcess

pytestmark = pytest.mark.process


@pytest.fixture
def server(tmp_path):
    redis_server = RedisProcess()
    redis_server.start()
    app = AppProcess(tmp_path, extra_env={"REDIS_URL": redis_server.url})
    try:
        app.prepare()
        app.start(preload=True, workers=2)
        yield app
    finally:
        app.stop()
        redis_server.stop()


def _customer(server: AppProcess) -> int:
    return int(
        server.shell(
            "from customers.models import Customer\n"
            "from salons.models import Salon\n"
            "salon = Salon.objects.get(slug='process')\n"
            "customer = Customer(salon=salon, number=1, name='森川 紗季', kana='もりかわ さき')\n"
            "customer.refresh_search_fields()\n"
            "customer.save()\n"
            "print(customer.pk)"
        )
    )


def _until_kept(session: requests.Session, url: str) -> requests.Response:
    """The page is drawn (the CSRF cookie, then its tables noted), then kept: a few asks at most."""
    for _ in range(5):
        response = session.get(url, timeout=10)
        assert response.status_code == 200
        if "Age" in response.headers:
            return response
    raise AssertionError("the page was never given from Redis")


def test_a_change_from_another_process_shows_on_the_next_request(server):
    pk = _customer(server)
    url = server.url(f"/customers/{pk}/")
    owner = server.login()
    kept = _until_kept(owner, url)
    assert int(kept.headers["Age"]) < 60
    # Both workers give the same kept page: it is in Redis, not in one worker.
    answers = [owner.get(url, timeout=10) for _ in range(4)]
    assert all("Age" in answer.headers and answer.text == kept.text for answer in answers)

    server.shell(
        "from django_scopes import scope\n"
        "from customers.models import Customer\n"
        f"customer = Customer.objects.get(pk={pk})\n"
        "with scope(salon=customer.salon):\n"
        "    customer.memo = '別の工程からのメモ'\n"
        "    customer.save()"
    )
    changed = owner.get(url, timeout=10)
    assert "Age" not in changed.headers
    assert "別の工程からのメモ" in changed.text
    assert "別の工程からのメモ" in _until_kept(owner, url).text


def test_another_session_never_gets_the_kept_page(server):
    pk = _customer(server)
    url = server.url(f"/customers/{pk}/")
    _until_kept(server.login(), url)
    other = server.login()
    assert "Age" not in other.get(url, timeout=10).headers
    signed_out = requests.get(url, timeout=10, allow_redirects=False)
    assert signed_out.status_code == 302 and "Age" not in signed_out.headers
