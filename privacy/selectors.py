from django.db.models import QuerySet

from .models import DataRequest


def open_data_requests(*, customer) -> QuerySet[DataRequest]:
    """The customer's requests from the app that staff have not yet marked done."""
    return DataRequest.objects.filter(customer=customer, handled_at__isnull=True)
