"""Staff log in; password guessing is slowed down."""

from django.urls import reverse


def test_staff_log_in_and_land_on_the_customer_list(salon_a, client):
    response = client.post(reverse("login"), {"username": "salon-a-stylist", "password": "pw-stylist-123"})
    assert response.status_code == 302
    assert response.url == reverse("staff:customer_list")


def test_an_owner_without_a_second_factor_is_asked_for_one_on_the_way(salon_a, client):
    response = client.post(reverse("login"), {"username": "salon-a-owner", "password": "pw-owner-123"})
    assert response.url == reverse("staff:two_factor") + "?next=%2Fcustomers%2F"
    page = client.get(response.url).content.decode()
    assert "今はしない" in page and 'href="/customers/"' in page


def test_a_wrong_password_gets_a_japanese_message(salon_a, client):
    response = client.post(reverse("login"), {"username": "salon-a-owner", "password": "wrong"})
    assert response.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in response.content.decode()


def test_guessing_a_password_is_stopped_with_429(salon_a, client):
    for _ in range(10):
        client.post(reverse("login"), {"username": "salon-a-owner", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "salon-a-owner", "password": "pw-owner-123"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "試行回数が多すぎます" in response.content.decode()
    assert 'value="salon-a-owner"' in response.content.decode()


def test_another_spelling_of_the_same_login_name_gets_no_fresh_tries(salon_a, client):
    for _ in range(10):
        client.post(reverse("login"), {"username": "salon-a-owner", "password": "wrong"})
    # Full-width letters authenticate as the same login (NFKC), so they share its count.
    for spelling in ("ｓａｌｏｎ-ａ-ｏｗｎｅｒ", "salon-a-ownｅｒ", " SALON-A-OWNER "):
        response = client.post(reverse("login"), {"username": spelling, "password": "pw-owner-123"})
        assert response.status_code == 429, spelling


def test_a_full_width_spelling_logs_in_as_the_same_person(salon_a, client):
    response = client.post(
        reverse("login"), {"username": "ｓａｌｏｎ-ａ-ｏｗｎｅｒ", "password": "pw-owner-123"}
    )
    assert response.status_code == 302


def test_a_login_post_logs_in_even_when_carrying_another_salons_session(salon_a, salon_b):
    browser = salon_b.client()  # a planted session of salon B's owner
    response = browser.post(reverse("login"), {"username": "salon-a-owner", "password": "pw-owner-123"})
    assert response.status_code == 302
    page = browser.get(reverse("staff:customer_list"))
    assert page.context["salon"] == salon_a.salon
    assert salon_a.customer.name in page.content.decode()
    assert salon_b.customer.name not in page.content.decode()


def test_a_wrong_login_post_does_not_keep_the_carried_session_working_as_someone_else(salon_a, salon_b):
    browser = salon_b.client()
    response = browser.post(reverse("login"), {"username": "salon-a-owner", "password": "wrong"})
    assert response.status_code == 200  # the form again, with its message; not a redirect into salon B


def test_someone_logged_in_who_opens_the_login_page_goes_on_to_work(salon_a):
    response = salon_a.client().get(reverse("login"))
    assert response.status_code == 302
