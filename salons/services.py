from __future__ import annotations

import hashlib
import io
import uuid
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile, File
from django.db import transaction
from PIL import Image, ImageOps

from audit.services import audit_log
from common.actors import Actor
from common.idempotency import create_once

from . import actions, hooks
from .models import Salon, StaffMember

LOGO_EDGE = 512


def staff_member_create(
    *,
    salon: Salon,
    actor: Actor,
    username: str,
    password: str,
    display_name: str,
    role: str,
    can_view_personal: bool = True,
    client_key: uuid.UUID | None = None,
) -> StaffMember:
    """Add a staff login; the same form sent again (same client key) returns the first one."""

    def create() -> StaffMember:
        user = get_user_model().objects.create_user(username=username, password=password)
        member = StaffMember.objects.create(
            salon=salon,
            user=user,
            display_name=display_name,
            role=role,
            can_view_personal=can_view_personal,
            client_key=client_key,
        )
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.STAFF_CREATE,
            target=member,
            summary=display_name,
            data={"role": role},
        )
        return member

    return create_once(StaffMember.objects.all(), client_key, create)


def staff_member_update(*, member: StaffMember, actor: Actor, data: dict[str, Any]) -> StaffMember:
    # Compared with the stored row: a bound ModelForm has already copied the new values onto `member`.
    stored = StaffMember.objects.get(pk=member.pk)
    changed = [name for name, value in data.items() if getattr(stored, name) != value]
    for name in changed:
        setattr(member, name, data[name])
    with transaction.atomic():
        member.save()
        if "is_active" in changed and not member.is_active:
            hooks.staff_left(member=member)
        if changed:
            audit_log(
                salon=member.salon,
                actor=actor,
                action=actions.STAFF_UPDATE,
                target=member,
                summary=member.display_name,
                data={"fields": changed},
            )
    return member


def salon_logo_image(upload: File[bytes] | IO[bytes]) -> bytes:
    """A square PNG of the uploaded logo, stripped of metadata."""
    with Image.open(upload) as original:
        upright = ImageOps.exif_transpose(original).convert("RGBA")
    square = ImageOps.pad(upright, (LOGO_EDGE, LOGO_EDGE), color=(255, 255, 255, 0))
    out = io.BytesIO()
    Image.frombytes("RGBA", square.size, square.tobytes()).save(out, format="PNG", optimize=True)
    return out.getvalue()


def salon_update_settings(
    *, salon: Salon, actor: Actor, data: dict[str, Any], logo: File[bytes] | IO[bytes] | None = None
) -> Salon:
    stored = Salon.objects.get(pk=salon.pk)
    changed = [name for name, value in data.items() if getattr(stored, name) != value]
    for name in changed:
        setattr(salon, name, data[name])
    with transaction.atomic():
        if logo is not None:
            old = salon.logo.name
            png = salon_logo_image(logo)
            salon.logo.save("logo.png", ContentFile(png), save=False)
            salon.logo_sha256, salon.logo_size = hashlib.sha256(png).hexdigest(), len(png)
            changed.append("logo")
            if old:
                transaction.on_commit(lambda: salon.logo.storage.delete(old))
        salon.save()
        if changed:
            audit_log(
                salon=salon, actor=actor, action=actions.SALON_UPDATE, target=salon, data={"fields": changed}
            )
    return salon
