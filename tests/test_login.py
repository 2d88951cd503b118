"""Staff log in; password guessing is slowed down."""

from django.urls import reverse


def test_staff_log_in_and_land_on_the_customer_list(salon_a, client):
    response = client.post(reverse("login"), {"username": "salon-a-owner", "password": "pw-owner-123"})
    assert response.status_code == 302
    assert response.url == reverse("staff:customer_list")


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
