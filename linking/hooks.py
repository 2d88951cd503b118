"""What an unlinked phone tells the apps above linking (push forgets its subscription)."""

from common.hooks import Hook

# Called inside the unlinking transaction, once the phone is marked unlinked.
device_unlinked = Hook("linking.device_unlinked", arguments=("device",))
