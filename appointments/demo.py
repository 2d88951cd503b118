"""The demo salon's appointment book: a week from today, a few bookings a day for each staff member
(some 指名なし), today's earlier ones already in, one cancellation."""

import datetime

from django.utils import timezone

from common.demo import Demo, demo_step
from menus.models import MenuItem

from .models import AppointmentSource, AppointmentState
from .services import SlotTaken, appointment_book, appointment_set_state

DAYS = 7
SOURCES = [AppointmentSource.COUNTER, AppointmentSource.PHONE, AppointmentSource.HPB, AppointmentSource.OTHER]


@demo_step(70)
def demo_appointments(demo: Demo) -> None:
    rng = demo.random("appointments")
    menus = list(MenuItem.objects.filter(archived_at__isnull=True).exclude(minutes=None))
    if not demo.customers or not menus:
        return
    now = timezone.now()
    for offset in range(DAYS):
        day = demo.today + datetime.timedelta(days=offset)
        for member in [*demo.staff, None]:
            for _ in range(rng.randint(2, 4) if member else 1):
                start = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(rng.randrange(10, 18), rng.choice((0, 30))))
                )
                try:
                    appointment = appointment_book(
                        salon=demo.salon,
                        actor=demo.owner.user,
                        customer=rng.choice(demo.customers),
                        staff=member,
                        starts_at=start,
                        menus=rng.sample(menus, rng.randint(1, 2)),
                        source=rng.choice(SOURCES),
                    )
                except SlotTaken:
                    continue  # that staff member is busy then: the demo books around it
                if appointment.ends_at <= now:
                    for state in (AppointmentState.ARRIVED, AppointmentState.DONE):
                        appointment_set_state(appointment=appointment, actor=demo.owner.user, state=state)
                elif offset == 2 and rng.random() < 0.3:
                    appointment_set_state(appointment=appointment, actor=demo.owner.user, state="cancelled")
