"""The one way staff views reach salon data. Scoped managers keep another salon's rows out, so
another salon's object is a plain 404 that does not confirm it exists."""

from django.shortcuts import get_object_or_404

from counselling.models import Question, SheetResponse
from customers.models import Customer
from followups.models import FollowUp
from kartes.models import ImageAsset, Karte, KarteItem
from linking.models import Device, LinkCode
from menus.models import MenuCategory, MenuItem
from notices.models import Notice
from privacy.models import DataRequest
from salons.models import StaffMember
from transfer.models import CustomerImport, ExportJob


def get_customer_for_staff(request, pk: int) -> Customer:
    """One of the salon's customers; a record merged into another is nothing to act on (its page
    says where it went)."""
    return get_object_or_404(Customer.objects.filter(merged_into__isnull=True), pk=pk)


def get_karte_for_staff(request, pk: int) -> Karte:
    return get_object_or_404(Karte.objects.select_related("customer", "staff"), pk=pk)


def get_item_for_staff(request, pk: int) -> KarteItem:
    return get_object_or_404(KarteItem.objects.select_related("karte__customer", "image"), pk=pk)


def get_image_for_staff(request, pk) -> ImageAsset:
    return get_object_or_404(ImageAsset.objects.all(), pk=pk)


def get_staff_member_for_owner(request, pk: int) -> StaffMember:
    return get_object_or_404(StaffMember.objects.select_related("user"), pk=pk)


def get_followup_for_staff(request, pk: int) -> FollowUp:
    return get_object_or_404(FollowUp.objects.select_related("customer", "salon"), pk=pk)


def get_notice_for_staff(request, pk: int) -> Notice:
    return get_object_or_404(Notice.objects.select_related("customer"), pk=pk)


def get_sheet_response_for_staff(request, pk: int) -> SheetResponse:
    return get_object_or_404(SheetResponse.objects.select_related("customer"), pk=pk)


def get_question_for_owner(request, pk: int) -> Question:
    return get_object_or_404(Question.objects.all(), pk=pk)


def get_menu_category_for_owner(request, pk: int) -> MenuCategory:
    return get_object_or_404(MenuCategory.objects.all(), pk=pk)


def get_menu_item_for_owner(request, pk: int) -> MenuItem:
    return get_object_or_404(MenuItem.objects.all(), pk=pk)


def get_link_code_for_staff(request, customer: Customer, pk: int) -> LinkCode:
    return get_object_or_404(LinkCode.objects.select_related("device"), pk=pk, customer=customer)


def get_linked_device_for_staff(request, pk: int) -> Device:
    """A phone still linked; one already unlinked is a 404 like another salon's."""
    return get_object_or_404(Device.objects.select_related("customer"), pk=pk, revoked_at__isnull=True)


def get_customer_import_for_owner(request, pk: int) -> CustomerImport:
    return get_object_or_404(CustomerImport.objects.all(), pk=pk)


def get_export_for_owner(request, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.all(), pk=pk)


def get_data_request_for_staff(request, customer: Customer, pk: int) -> DataRequest | None:
    return DataRequest.objects.filter(customer=customer, pk=pk).first()
