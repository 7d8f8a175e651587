"""The email alert form on a service page: an address and, if wanted, a country."""

from django import forms

from outages.catalog import lookup
from reports.forms import QuickSelect


class EmailAlertForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a whole email address, like name@example.com.",
        },
    )
    country = forms.ChoiceField(
        label="Only for problems in",
        required=False,
        widget=QuickSelect,
        error_messages={"invalid_choice": "Pick a country from the list."},
    )

    def __init__(self, *args, **kwargs):
        # It shares the service page with the report form and its "country".
        kwargs.setdefault("auto_id", "alert-%s")
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Anywhere"), *lookup.countries()]
