"""「サロンの作品として掲載可」: a photo shown as the salon's work (portfolio, SNS) only with the
customer's consent, kept per photo and apart from 公開 to the customer.

Staff ask in the app (for a photo the customer can see) or record an answer given at the counter,
with who and when; the customer answers 許可 / 許可しない in the app and may withdraw at any time.
「作品用に保存」 gives a copy without metadata under a neutral file name — for a photo with consent
only, checked on every download.
"""

from __future__ import annotations

import hashlib

import pyvips
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from common.actors import Actor

from . import actions
from .models import ItemKind, KarteItem, PortfolioConsent

PORTFOLIO_QUALITY = 90


class NotAPhoto(Exception):
    pass


class NoConsent(Exception):
    """The customer has not agreed (or has withdrawn): the photo is not the salon's to show."""


def _locked(item: KarteItem) -> KarteItem:
    return KarteItem.objects.select_for_update().select_related("karte__customer").get(pk=item.pk)


def _audit(item: KarteItem, actor: Actor, action, **data) -> None:
    audit_log(
        salon=item.salon,
        actor=actor,
        action=action,
        target=item,
        summary=item.karte.customer.name,
        data={"karte": item.karte_id, **data},
    )


def portfolio_ask(*, item: KarteItem, actor: Actor) -> KarteItem:
    """Ask the customer in the app; only a photo they can see can be asked about there."""
    if item.kind != ItemKind.PHOTO or not item.is_public:
        raise NotAPhoto()
    with transaction.atomic():
        item = _locked(item)
        item.portfolio, item.portfolio_asked_at = PortfolioConsent.ASKED, timezone.now()
        item.portfolio_at, item.portfolio_by = None, None
        item.save(update_fields=["portfolio", "portfolio_asked_at", "portfolio_at", "portfolio_by"])
        _audit(item, actor, actions.PORTFOLIO_ASK)
    return item


def portfolio_record(*, item: KarteItem, actor: Actor, allowed: bool) -> KarteItem:
    """The customer's answer, given to staff (at the counter, on paper), recorded with who and when."""
    if item.kind != ItemKind.PHOTO:
        raise NotAPhoto()
    with transaction.atomic():
        item = _locked(item)
        item.portfolio = PortfolioConsent.YES if allowed else PortfolioConsent.NO
        item.portfolio_at, item.portfolio_by = timezone.now(), actor
        item.save(update_fields=["portfolio", "portfolio_at", "portfolio_by"])
        _audit(item, actor, actions.PORTFOLIO_RECORD, allowed=allowed)
    return item


def portfolio_answer(*, item: KarteItem, allowed: bool) -> KarteItem:
    """The customer's own answer in the app: 許可, 許可しない, or a consent withdrawn."""
    with transaction.atomic():
        item = _locked(item)
        item.portfolio = PortfolioConsent.YES if allowed else PortfolioConsent.NO
        item.portfolio_at, item.portfolio_by = timezone.now(), None
        item.save(update_fields=["portfolio", "portfolio_at", "portfolio_by"])
        _audit(item, None, actions.PORTFOLIO_ANSWER, allowed=allowed)
    return item


def portfolio_copy(*, item: KarteItem, actor: Actor) -> tuple[bytes, str]:
    """「作品用に保存」: a JPEG of the photo (its large copy, upright, sRGB) with no metadata at all,
    and a neutral file name (nothing of the customer, the date or the salon's numbering)."""
    item = KarteItem.objects.select_related("image", "karte__customer").get(pk=item.pk)
    if item.kind != ItemKind.PHOTO or item.image is None or item.portfolio != PortfolioConsent.YES:
        raise NoConsent()
    with default_storage.open(item.image.large.name, "rb") as handle:
        image = pyvips.Image.new_from_buffer(handle.read(), "")
    data = image.jpegsave_buffer(Q=PORTFOLIO_QUALITY, keep="none")  # no EXIF, XMP, IPTC or ICC
    name = f"work-{hashlib.sha256(str(item.image_id).encode()).hexdigest()[:12]}.jpg"
    _audit(item, actor, actions.PORTFOLIO_SAVE)
    return data, name
