"""Linking a phone in tests: the same services and views the app uses."""

from django.test import Client
from django.urls import reverse
from django_scopes import scope

from linking.services import link_code_issue


def issue(world, customer=None):
    with scope(salon=world.salon):
        return link_code_issue(salon=world.salon, customer=customer or world.customer, issued_by=world.owner)


def link_url(world):
    return reverse("customer_app:link", kwargs={"slug": world.salon.slug})


def app_url(world, name="home", **kwargs):
    return reverse(f"customer_app:{name}", kwargs={"slug": world.salon.slug, **kwargs})


def linked_phone(world, customer=None) -> Client:
    """A phone (test client) linked to the customer through the real redeem endpoint."""
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1")
    issued = issue(world, customer)
    response = phone.post(link_url(world), {"code": issued.code})
    assert response.status_code == 302, response.content
    return phone
