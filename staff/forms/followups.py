from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from followups.models import FollowUpKind, FollowUpRule

# What the timing means for each kind, and the values that make sense.
TIMING = {
    FollowUpKind.THANKS: (_("hours after the karte is saved"), 0, 72),
    FollowUpKind.NEXT_VISIT: (_("days after the expected next visit"), 0, 60),
    FollowUpKind.BIRTHDAY: (None, 0, 0),
    FollowUpKind.LAPSED: (_("days without a visit"), 14, 730),
}
EXPLAINED = {
    FollowUpKind.THANKS: _("Sent once after each visit."),
    FollowUpKind.NEXT_VISIT: _(
        "When the “Next visit in about” set on the latest karte has passed, or else the customer's usual "
        "interval between visits. A new visit replaces it."
    ),
    FollowUpKind.BIRTHDAY: _(
        "On the customer's birthday, at 10:00, to customers whose birthday is recorded."
    ),
    FollowUpKind.LAPSED: _("Once, when a customer has not come back for this long. A new visit replaces it."),
}


class FollowUpRuleForm(forms.ModelForm):
    class Meta:
        model = FollowUpRule
        fields = ["enabled", "delay", "title", "body"]
        widgets = {
            "delay": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
            "body": forms.Textarea(attrs={"rows": 3, "maxlength": "1000"}),
        }
        error_messages = {
            "title": {"required": _("Enter a title.")},
            "body": {"required": _("Write the message.")},
            "delay": {"invalid": _("Enter a whole number.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit, low, high = TIMING[FollowUpKind(self.instance.kind)]
        self.unit, self.low, self.high = unit, low, high
        self.explained = EXPLAINED[FollowUpKind(self.instance.kind)]
        self.fields["delay"].widget.attrs.update({"min": str(low), "max": str(high)})
        if unit is None:
            del self.fields["delay"]

    def clean_delay(self):
        delay = self.cleaned_data["delay"]
        if not self.low <= delay <= self.high:
            raise ValidationError(
                _("Enter a number from %(low)s to %(high)s.") % {"low": self.low, "high": self.high}
            )
        return delay

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if len(body) > 1000:
            raise ValidationError(_("Keep the message to 1,000 characters or fewer."))
        return body
