"""What a posted notice tells the apps above notices (push plans its pushes)."""

from common.hooks import Hook

# Called inside the posting transaction, once the notices are written (one, or a batch of the
# system's messages to one customer each).
notices_posted = Hook("notices.notices_posted", arguments=("notices",))
