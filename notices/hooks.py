"""What a posted notice tells the apps above notices (push plans its pushes)."""

from common.hooks import Hook

# Called inside the posting transaction, once the notice is written.
notice_posted = Hook("notices.notice_posted", arguments=("notice",))
