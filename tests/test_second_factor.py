"""The second factor: an authenticator app's codes (TOTP, computed here from the shared secret at
the time the test sets), single-use recovery codes, the salon's rule, and the owner's reset. Mail
goes to a real SMTP server the test starts."""

import datetime
import re

import pyotp
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from accounts.models import StaffSession
from audit.models import AuditEntry

from .smtp_server import text_of

STYLIST = ("salon-a-stylist", "pw-stylist-123")
OWNER = ("salon-a-owner", "pw-owner-123")
NOON = datetime.datetime(2026, 12, 6, 3, 0, 0, tzinfo=datetime.UTC)


def _login(client, credentials):
    return client.post(reverse("login"), {"username": credentials[0], "password": credentials[1]})


def _in(client) -> bool:
    return client.get(reverse("staff:customer_list")).status_code == 200


def _actions(world):
    with scope(salon=world.salon):
        return list(AuditEntry.objects.filter(action__startswith="account.").values_list("action", flat=True))


def _set_up(client):
    """Turn the factor on from the account page, as a person would; returns the secret and the codes."""
    page = client.post(reverse("staff:two_factor"), {"action": "begin"}).content.decode()
    assert "<svg" in page
    shown = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", page)
    assert shown is not None
    secret = shown.group(1).replace(" ", "")
    done = client.post(reverse("staff:two_factor"), {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4})</code>", done.content.decode())
    assert len(codes) == 10
    return secret, codes


@pytest.fixture
def stylist_with_factor(salon_a, smtp_server):
    salon_a.stylist.user.email = "stylist@salon-a.example.jp"
    salon_a.stylist.user.save()
    with time_machine.travel(NOON - datetime.timedelta(minutes=10), tick=False):
        client = Client()
        _login(client, STYLIST)
        secret, codes = _set_up(client)
    return secret, codes


def test_setting_up_needs_a_code_from_the_app(salon_a, smtp_server):
    salon_a.stylist.user.email = "stylist@salon-a.example.jp"
    salon_a.stylist.user.save()
    client = salon_a.client(salon_a.stylist)
    client.post(reverse("staff:two_factor"), {"action": "begin"})
    wrong = client.post(reverse("staff:two_factor"), {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400 and "コードが正しくありません" in wrong.content.decode()
    assert "オフ" in client.get(reverse("staff:account")).content.decode()
    _set_up(client)
    assert "オン" in client.get(reverse("staff:account")).content.decode()
    (mail,) = smtp_server.to("stylist@salon-a.example.jp")
    assert "2段階認証がオンになりました" in text_of(mail)
    assert _actions(salon_a) == ["account.factor_add"]


def test_a_login_with_a_factor_needs_the_current_code_once(salon_a, stylist_with_factor):
    secret, _codes = stylist_with_factor
    totp = pyotp.TOTP(secret)
    with time_machine.travel(NOON, tick=False):
        browser = Client()
        step_one = _login(browser, STYLIST)
        assert step_one["Location"] == reverse("login_verify")
        assert not _in(browser)  # the password alone logs nobody in
        old = totp.at(NOON - datetime.timedelta(seconds=90))
        refused = browser.post(reverse("login_verify"), {"code": old})
        assert refused.status_code == 200 and "コードが正しくありません" in refused.content.decode()
        code = totp.now()
        accepted = browser.post(reverse("login_verify"), {"code": code})
        assert accepted.status_code == 302 and accepted["Location"] == reverse("staff:customer_list")
        assert _in(browser)

        thief = Client()  # the same code, seen over a shoulder, in the same 30 seconds
        _login(thief, STYLIST)
        assert thief.post(reverse("login_verify"), {"code": code}).status_code == 200
        # …and the code before it, though a phone's slow clock may still show it: once a code is
        # taken, no earlier one is.
        before = totp.at(NOON - datetime.timedelta(seconds=30))
        assert before != code
        assert thief.post(reverse("login_verify"), {"code": before}).status_code == 200
        assert not _in(thief)
    assert "account.factor_refused" in _actions(salon_a)


def test_a_recovery_code_works_once(salon_a, stylist_with_factor, smtp_server):
    _secret, codes = stylist_with_factor
    browser = Client()
    _login(browser, STYLIST)
    assert browser.post(reverse("login_verify"), {"code": codes[0].upper()}).status_code == 302
    assert _in(browser)
    again = Client()
    _login(again, STYLIST)
    assert again.post(reverse("login_verify"), {"code": codes[0]}).status_code == 200
    assert not _in(again)
    assert any("残りのコード：9個" in text_of(m) for m in smtp_server.to("stylist@salon-a.example.jp"))


def test_guessing_codes_is_held_back_and_audited(salon_a, stylist_with_factor):
    secret, _codes = stylist_with_factor
    browser = Client()
    _login(browser, STYLIST)
    for guess in range(5):
        browser.post(reverse("login_verify"), {"code": f"{guess:06d}"})
    held = browser.post(reverse("login_verify"), {"code": pyotp.TOTP(secret).now()})
    assert held.status_code == 429 and "試行回数が多すぎます" in held.content.decode()
    assert not _in(browser)
    actions = _actions(salon_a)
    assert actions.count("account.factor_refused") == 5 and "account.factor_held" in actions


def test_the_password_step_expires_after_five_minutes(salon_a, stylist_with_factor):
    secret, _codes = stylist_with_factor
    browser = Client()
    with time_machine.travel(NOON, tick=False):
        _login(browser, STYLIST)
    with time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False):
        late = browser.post(reverse("login_verify"), {"code": pyotp.TOTP(secret).now()})
        assert late["Location"] == reverse("login") and not _in(browser)


def test_a_salon_that_requires_it_lets_nobody_work_without_it(salon_a):
    salon_a.salon.second_factor = "everyone"
    salon_a.salon.save()
    browser = Client()
    landing = _login(browser, STYLIST)
    assert landing["Location"].startswith(reverse("staff:two_factor"))
    for name in ("staff:customer_list", "staff:sheet_inbox", "staff:notice_list"):
        response = browser.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("staff:two_factor"))
    page = browser.get(reverse("staff:two_factor")).content.decode()
    assert "今はしない" not in page and "必須" in page
    _set_up(browser)
    assert _in(browser)


def test_a_session_from_before_the_factor_must_log_in_again_where_it_is_required(salon_a):
    salon_a.salon.second_factor = "everyone"
    salon_a.salon.save()
    here, elsewhere = Client(), salon_a.client(salon_a.stylist)
    _login(here, STYLIST)
    _set_up(here)
    response = elsewhere.get(reverse("staff:customer_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_owner_resets_a_lost_factor(salon_a, salon_b, stylist_with_factor, smtp_server):
    stylist = Client()
    _login(stylist, STYLIST)
    stylist.post(reverse("login_verify"), {"code": stylist_with_factor[1][1]})
    assert _in(stylist)
    url = reverse("staff:staff_factor_reset", kwargs={"pk": salon_a.stylist.pk})
    assert salon_b.client().post(url).status_code == 404
    assert salon_a.client(salon_a.stylist).post(url).status_code == 403
    assert (
        "2段階認証をリセット"
        in salon_a.client()
        .get(reverse("staff:staff_edit", kwargs={"pk": salon_a.stylist.pk}))
        .content.decode()
    )
    assert salon_a.client().post(url).status_code == 302
    assert not _in(stylist)  # logged out everywhere
    assert not StaffSession.objects.filter(user=salon_a.stylist.user).exists()
    fresh = Client()
    # The password alone, until they set up a new one.
    assert _login(fresh, STYLIST)["Location"] == reverse("staff:customer_list")
    mails = smtp_server.to("stylist@salon-a.example.jp")
    assert any("オーナーがあなたの2段階認証をリセット" in text_of(m) for m in mails)
    assert "account.factor_remove" in _actions(salon_a)


def test_turning_it_off_needs_the_password(salon_a, smtp_server):
    client = salon_a.client(salon_a.stylist)
    _set_up(client)
    wrong = client.post(reverse("staff:two_factor"), {"action": "remove", "password": "nope"})
    assert wrong.status_code == 400 and "現在のパスワードが正しくありません" in wrong.content.decode()
    client.post(reverse("staff:two_factor"), {"action": "remove", "password": STYLIST[1]})
    assert _login(Client(), STYLIST)["Location"] == reverse("staff:customer_list")


def test_new_recovery_codes_replace_the_old(salon_a):
    client = salon_a.client(salon_a.stylist)
    _secret, old = _set_up(client)
    page = client.post(reverse("staff:two_factor"), {"action": "codes", "password": STYLIST[1]})
    new = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4})</code>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    browser = Client()
    _login(browser, STYLIST)
    assert browser.post(reverse("login_verify"), {"code": old[0]}).status_code == 200
    assert browser.post(reverse("login_verify"), {"code": new[0]}).status_code == 302


@pytest.mark.parametrize("password", ["sakura2026!", "Ｋａｒｔｅ1234", "salon-a-2026", "サロンＡ2026!"])
def test_words_staff_would_try_first_are_refused(salon_a, password):
    client = salon_a.client(salon_a.stylist)
    response = client.post(
        reverse("staff:password_change"),
        {"old_password": STYLIST[1], "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 400, password
    assert "ありふれた単語" in response.content.decode()
