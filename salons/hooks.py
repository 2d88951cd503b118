"""What a staff login's end tells the apps above salons (accounts ends its sessions)."""

from common.hooks import Hook

# Called inside the transaction that deactivates a staff member.
staff_left = Hook("salons.staff_left", arguments=("member",))
