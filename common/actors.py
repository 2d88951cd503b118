"""Who did something, as services are told: a staff login, or None for the customer's own phone
and for the system (the task worker, the platform operator's commands)."""

from django.contrib.auth.models import User

Actor = User | None
