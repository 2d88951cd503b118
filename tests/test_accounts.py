"""Staff accounts: forgotten passwords, invitations, one's own password and address, signed-in
devices, the idle timeout and login alerts. Every mail goes over SMTP to a server the test started
(aiosmtpd, tests/smtp_server.py); the tests follow the links out of the mails they received."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import StaffSession
from audit.models import AuditEntry
from salons.models import StaffMember

from .smtp_server import html_of, link_in, text_of

OWNER_EMAIL = "owner@salon-a.example.jp"
STRONG = "kaminoke-Sakura-2026"


@pytest.fixture
def owner_with_email(salon_a):
    user = salon_a.owner.user
    user.email = OWNER_EMAIL
    user.save()
    return user


def _actions(world, prefix="account."):
    with scope(salon=world.salon):
        return list(
            AuditEntry.objects.filter(action__startswith=prefix)
            .order_by("pk")
            .values_list("action", flat=True)
        )


def _logged_in(client) -> bool:
    return client.get(reverse("staff:customer_list")).status_code == 200


def _login(client, username, password, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


# Forgotten password -----------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_a_mailed_link_that_works_once(
    salon_a, owner_with_email, smtp_server
):
    elsewhere = salon_a.client()  # the owner is also logged in on another tablet
    page = Client().get(reverse("login")).content.decode()
    assert "パスワードをお忘れの方" in page and reverse("password_forgot") in page

    browser = Client()
    answer = browser.post(reverse("password_forgot"), {"email": "OWNER@salon-a.example.jp"})
    assert answer.status_code == 200
    assert "メールをご確認ください" in answer.content.decode()
    (mail,) = smtp_server.to(OWNER_EMAIL)
    assert mail["Subject"] == "Karte のパスワード再設定"
    assert "パスワード再設定" in text_of(mail) and "<a href=" in html_of(mail)
    link = link_in(mail, "/password/reset/")

    form = browser.get(link)
    assert form.status_code == 200 and "新しいパスワード" in form.content.decode()
    weak = browser.post(link, {"new_password1": "password", "new_password2": "password"})
    assert "このパスワードは一般的すぎます" in weak.content.decode()
    done = browser.post(link, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done["Location"] == reverse("login")

    assert not _logged_in(elsewhere)  # every browser signed in with the old password is out
    assert _login(Client(), "salon-a-owner", STRONG).status_code == 302
    assert _login(Client(), "salon-a-owner", "pw-owner-123").status_code == 200
    again = browser.get(link)
    assert again.status_code == 410 and "既に使われた" in again.content.decode()
    assert any("パスワードが変更されました" in m["Subject"] for m in smtp_server.to(OWNER_EMAIL))
    assert _actions(salon_a) == [
        "account.reset_request",
        "account.password_reset",
        "account.login_new_device",  # the login with the new password, from a browser new to it
        "account.link_refused",
    ]


def test_the_answer_is_the_same_whether_or_not_an_account_uses_the_address(
    salon_a, owner_with_email, smtp_server
):
    known = Client().post(reverse("password_forgot"), {"email": OWNER_EMAIL})
    unknown = Client().post(reverse("password_forgot"), {"email": "nobody@example.jp"})
    assert known.status_code == unknown.status_code == 200

    def page(response, email):  # the address typed and the CSRF tokens (new on every page) aside
        text = response.content.decode().replace(email, "")
        return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', "", text)

    assert page(known, OWNER_EMAIL) == page(unknown, "nobody@example.jp")
    assert len(smtp_server.messages) == 1


def test_reset_mails_are_limited_per_address_and_requests_per_client(salon_a, owner_with_email, smtp_server):
    for _ in range(5):
        response = Client(REMOTE_ADDR="10.0.0.1").post(reverse("password_forgot"), {"email": OWNER_EMAIL})
        assert response.status_code == 200  # the same answer, but the fourth and fifth send nothing
    assert len(smtp_server.to(OWNER_EMAIL)) == 3
    browser = Client(REMOTE_ADDR="10.0.0.2")
    for number in range(10):
        browser.post(reverse("password_forgot"), {"email": f"guess{number}@example.jp"})
    held = browser.post(reverse("password_forgot"), {"email": "guess@example.jp"})
    assert held.status_code == 429 and int(held["Retry-After"]) > 0
    assert "試行回数が多すぎます" in held.content.decode()
    assert 'value="guess@example.jp"' in held.content.decode()  # what was typed stays


def test_guessing_links_is_held_back(salon_a, owner_with_email, smtp_server):
    browser = Client(REMOTE_ADDR="10.0.0.3")
    Client().post(reverse("password_forgot"), {"email": OWNER_EMAIL})
    real = link_in(smtp_server.to(OWNER_EMAIL)[0], "/password/reset/")
    for number in range(20):
        response = browser.get(reverse("password_reset", kwargs={"token": f"guess-{number}"}))
        assert response.status_code == 404
        assert "リンクが完全ではありません" in response.content.decode()
    held = browser.get(real)
    assert held.status_code == 429  # even the right link waits once this address has guessed enough
    assert Client(REMOTE_ADDR="10.0.0.4").get(real).status_code == 200


def test_an_expired_reset_link_says_so(salon_a, owner_with_email, smtp_server):
    Client().post(reverse("password_forgot"), {"email": OWNER_EMAIL})
    link = link_in(smtp_server.to(OWNER_EMAIL)[0], "/password/reset/")
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        response = Client().get(link)
    assert response.status_code == 404 and "有効期限が切れています" in response.content.decode()


def test_a_mail_is_written_in_the_recipients_language(salon_a, owner_with_email, smtp_server):
    with scopes_disabled():
        StaffMember.objects.filter(pk=salon_a.owner.pk).update(language="en")
    Client().post(reverse("password_forgot"), {"email": OWNER_EMAIL})  # asked from a Japanese page
    (mail,) = smtp_server.to(OWNER_EMAIL)
    assert mail["Subject"] == "Set a new password for Karte"
    assert "open this link" in text_of(mail)


def test_the_language_of_the_last_login_is_the_one_mail_is_written_in(salon_a):
    client = Client()
    client.post(reverse("set_language"), {"language": "en"})
    assert _login(client, "salon-a-stylist", "pw-stylist-123").status_code == 302
    with scopes_disabled():
        assert StaffMember.objects.get(pk=salon_a.stylist.pk).language == "en"


# Invitations ------------------------------------------------------------------------------------


def test_the_owner_invites_a_stylist_who_chooses_their_own_login(salon_a, smtp_server):
    owner = salon_a.client()
    form = owner.get(reverse("staff:staff_invite"))
    assert form.status_code == 200
    sent = owner.post(
        reverse("staff:staff_invite"),
        {"display_name": "新人 花子", "email": "hanako@example.jp", "role": "stylist"},
    )
    assert sent.status_code == 302
    listing = owner.get(reverse("staff:staff_list")).content.decode()
    assert "新人 花子" in listing and "招待中" in listing
    (mail,) = smtp_server.to("hanako@example.jp")
    assert "サロンA" in mail["Subject"]
    link = link_in(mail, "/invitation/")

    invitee = Client()
    page = invitee.get(link).content.decode()
    assert "サロンA" in page and 'value="hanako"' in page
    taken = invitee.post(
        link, {"username": "salon-a-owner", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert "このログイン名はすでに使われています" in taken.content.decode()
    assert 'value="salon-a-owner"' in taken.content.decode()
    mismatch = invitee.post(
        link, {"username": "hanako", "new_password1": STRONG, "new_password2": STRONG + "x"}
    )
    assert "確認用パスワードが一致しません" in mismatch.content.decode()
    accepted = invitee.post(link, {"username": "hanako", "new_password1": STRONG, "new_password2": STRONG})
    assert accepted.status_code == 302 and _logged_in(invitee)
    assert len(smtp_server.to("hanako@example.jp")) == 1  # the first device is not announced as new
    assert invitee.get(link).status_code == 410
    assert _login(Client(), "hanako@example.jp", STRONG).status_code == 302  # by address as well
    assert _actions(salon_a) == [
        "account.invite",
        "account.invite_accept",
        "account.link_refused",
        "account.login_new_device",  # the login by address, from another browser
    ]


def test_an_invitation_can_be_sent_again_and_only_by_the_owner(salon_a, salon_b, smtp_server):
    owner = salon_a.client()
    owner.post(
        reverse("staff:staff_invite"), {"display_name": "A", "email": "a@example.jp", "role": "stylist"}
    )
    with scopes_disabled():
        member = StaffMember.objects.get(display_name="A")
    resend = reverse("staff:staff_invite_resend", kwargs={"pk": member.pk})
    assert salon_a.client(salon_a.stylist).post(resend).status_code == 403
    assert salon_b.client().post(resend).status_code == 404
    assert owner.post(resend).status_code == 302
    assert len(smtp_server.to("a@example.jp")) == 2
    duplicate = owner.post(
        reverse("staff:staff_invite"), {"display_name": "B", "email": "A@example.jp", "role": "stylist"}
    )
    assert "既に別のログインがこのメールアドレスを使っています" in duplicate.content.decode()


def test_an_invited_member_cannot_log_in_before_accepting(salon_a, smtp_server):
    salon_a.client().post(
        reverse("staff:staff_invite"), {"display_name": "A", "email": "a@example.jp", "role": "stylist"}
    )
    user = get_user_model().objects.get(email="a@example.jp")
    assert not user.has_usable_password()
    assert _login(Client(), user.username, "").status_code == 200


# One's own password, address and devices --------------------------------------------------------


def test_changing_the_password_logs_out_the_other_devices_only(salon_a, owner_with_email, smtp_server):
    here, there = Client(), Client()
    _login(here, "salon-a-owner", "pw-owner-123")
    _login(there, "salon-a-owner", "pw-owner-123")
    wrong = here.post(
        reverse("staff:password_change"),
        {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert wrong.status_code == 400 and "元のパスワードが間違っています" in wrong.content.decode()
    done = here.post(
        reverse("staff:password_change"),
        {"old_password": "pw-owner-123", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert done.status_code == 302
    assert _logged_in(here) and not _logged_in(there)
    assert any("パスワードが変更されました" in m["Subject"] for m in smtp_server.to(OWNER_EMAIL))


def test_a_new_address_is_confirmed_and_the_old_one_can_undo_it(salon_a, owner_with_email, smtp_server):
    owner = Client()
    _login(owner, "salon-a-owner", "pw-owner-123")
    smtp_server.clear()
    bad = owner.post(reverse("staff:email_change"), {"email": "new@example.jp", "password": "wrong"})
    assert bad.status_code == 400 and 'value="new@example.jp"' in bad.content.decode()
    owner.post(reverse("staff:email_change"), {"email": "new@example.jp", "password": "pw-owner-123"})
    assert get_user_model().objects.get(pk=salon_a.owner.user.pk).email == OWNER_EMAIL  # not yet
    confirm = link_in(smtp_server.to("new@example.jp")[0], "/email/confirm/")
    owner.post(confirm)
    assert get_user_model().objects.get(pk=salon_a.owner.user.pk).email == "new@example.jp"
    (told,) = smtp_server.to(OWNER_EMAIL)
    assert "new@example.jp" in text_of(told)
    undo = link_in(told, "/email/undo/")

    _login(Client(), "salon-a-owner", "pw-owner-123")  # whoever changed it logs in again: the undo holds
    assert "元に戻す" in Client().get(undo).content.decode()
    undone = Client().post(undo)
    assert undone.status_code == 200 and reverse("password_forgot") in undone.content.decode()
    assert get_user_model().objects.get(pk=salon_a.owner.user.pk).email == OWNER_EMAIL
    assert not _logged_in(owner)
    changes = [action for action in _actions(salon_a) if action.startswith("account.email")]
    assert changes == ["account.email_change", "account.email_undo"]


def test_signed_in_devices_are_listed_and_can_be_logged_out(salon_a, salon_b):
    ipad, phone = Client(), Client()
    _login(ipad, "salon-a-owner", "pw-owner-123", HTTP_USER_AGENT=IPAD_UA)
    _login(phone, "salon-a-owner", "pw-owner-123", HTTP_USER_AGENT=IPHONE_UA)
    page = ipad.get(reverse("staff:account")).content.decode()
    assert "iPad · Safari" in page and "iPhone · Chrome" in page and "この端末" in page
    phone_session = StaffSession.objects.get(user=salon_a.owner.user, user_agent=IPHONE_UA)

    other_salon = salon_b.client()
    refused = other_salon.post(reverse("staff:session_end", kwargs={"pk": phone_session.pk}))
    assert refused.status_code == 404 and _logged_in(phone)
    assert ipad.post(reverse("staff:session_end", kwargs={"pk": phone_session.pk})).status_code == 302
    assert not _logged_in(phone) and _logged_in(ipad)

    third = Client()
    _login(third, "salon-a-owner", "pw-owner-123")
    ipad.post(reverse("staff:sessions_end_others"))
    assert not _logged_in(third) and _logged_in(ipad)
    assert "account.sessions_end" in _actions(salon_a)


def test_a_staff_member_who_leaves_is_logged_out_at_once(salon_a):
    stylist = Client()
    _login(stylist, "salon-a-stylist", "pw-stylist-123")
    assert _logged_in(stylist)
    salon_a.client().post(
        reverse("staff:staff_edit", kwargs={"pk": salon_a.stylist.pk}),
        {"display_name": salon_a.stylist.display_name, "role": "stylist"},  # "active" unticked
    )
    assert not StaffSession.objects.filter(user=salon_a.stylist.user).exists()
    response = stylist.get(reverse("staff:customer_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_idle_tablet_returns_to_the_login_page(salon_a):
    salon_a.salon.idle_timeout_minutes = 15
    salon_a.salon.save()
    start = timezone.now()
    tablet = Client()
    with time_machine.travel(start, tick=False):
        _login(tablet, "salon-a-stylist", "pw-stylist-123")
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert _logged_in(tablet)
    with time_machine.travel(start + datetime.timedelta(minutes=28), tick=False):
        assert _logged_in(tablet)  # 14 minutes after its last use
    with time_machine.travel(start + datetime.timedelta(minutes=44), tick=False):
        response = tablet.get(reverse("staff:customer_list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "15分間操作がなかったため" in response.content.decode()


def test_switching_staff_locks_the_tablet_without_clearing_drafts(salon_a):
    tablet = Client()
    _login(tablet, "salon-a-stylist", "pw-stylist-123")
    page = tablet.get(reverse("staff:customer_list")).content.decode()
    switch = re.search(
        r'<form method="post" action="([^"]+)">[^<]*<input[^>]+>\s*<button[^>]*>スタッフ切り替え', page
    )
    assert switch and switch.group(1) == reverse("staff_switch")
    assert "data-clear-drafts" not in switch.group(0)
    response = tablet.post(reverse("staff_switch"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "下書きはこの端末に残ります" in response.content.decode()
    assert not _logged_in(tablet)


# Login alerts -----------------------------------------------------------------------------------

IPAD_UA = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/126.0 Mobile/15E148 Safari/604.1"
)


def test_a_login_from_a_new_device_is_announced_and_a_known_one_is_not(
    salon_a, owner_with_email, smtp_server
):
    ipad = Client(HTTP_USER_AGENT=IPAD_UA, REMOTE_ADDR="203.0.113.5")
    _login(ipad, "salon-a-owner", "pw-owner-123")
    (alert,) = smtp_server.to(OWNER_EMAIL)
    assert alert["Subject"].strip() == "新しい端末からログインしました"
    assert "iPad · Safari" in text_of(alert) and "203.0.113.5" in text_of(alert)
    ipad.post(reverse("logout"))
    _login(ipad, "salon-a-owner", "pw-owner-123")  # the same tablet, its cookie kept
    assert len(smtp_server.to(OWNER_EMAIL)) == 1
    _login(Client(), "salon-a-owner", "pw-owner-123")  # another browser
    assert len(smtp_server.to(OWNER_EMAIL)) == 2
    assert _actions(salon_a).count("account.login_new_device") == 2


def test_a_device_cookie_of_another_login_counts_as_new(salon_a, owner_with_email, smtp_server):
    tablet = Client()
    _login(tablet, "salon-a-stylist", "pw-stylist-123")
    tablet.post(reverse("logout"))
    _login(tablet, "salon-a-owner", "pw-owner-123")
    assert len(smtp_server.to(OWNER_EMAIL)) == 1


def test_mail_that_cannot_be_delivered_is_retried_by_the_queue(salon_a, owner_with_email, settings):
    from common.mail import MAIL_RETRIES, mail_deliver

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with pytest.raises(ConnectionRefusedError):
        mail_deliver.call_local(OWNER_EMAIL, "件名", "本文", "<p>本文</p>")
    assert mail_deliver.task_class.default_retries == MAIL_RETRIES
    assert mail_deliver.task_class.default_retry_delay > 0


def test_the_owner_sets_a_new_password_for_a_stylist_without_an_address(salon_a, salon_b):
    stylist = Client()
    _login(stylist, "salon-a-stylist", "pw-stylist-123")
    url = reverse("staff:staff_password_set", kwargs={"pk": salon_a.stylist.pk})
    assert salon_b.client().post(url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 404
    owner = salon_a.client()
    weak = owner.post(url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 400 and "数字だけのパスワードにはできません" in weak.content.decode()
    assert owner.post(url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302
    assert not _logged_in(stylist)
    assert _login(Client(), "salon-a-stylist", STRONG).status_code == 302
    assert "account.password_set_by_owner" in _actions(salon_a)


def test_guessed_links_are_written_to_the_security_log(salon_a, caplog):
    with caplog.at_level("WARNING", logger="karte.security"):
        Client(REMOTE_ADDR="10.0.0.9").get(reverse("invitation_accept", kwargs={"token": "guess"}))
    assert any("10.0.0.9" in record.getMessage() for record in caplog.records)
