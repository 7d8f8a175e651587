from django import forms

from outages.catalog import lookup
from outages.models import Symptom


class ReportForm(forms.Form):
    symptom = forms.ChoiceField(label="What is wrong?")
    country = forms.ChoiceField(label="Country", required=False)
    subdivision = forms.ChoiceField(
        label="State or region (optional)",
        required=False,
        error_messages={
            "invalid_choice": "Pick a state or region of the chosen country."
        },
    )

    def __init__(
        self,
        *args,
        country: str | None = None,
        subdivision: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["symptom"].choices = Symptom.objects.values_list("slug", "label")
        self.fields["country"].choices = [
            ("", "Choose your country"),
            *lookup.countries(),
        ]
        chosen = self.data.get("country") or country or ""
        self.fields["subdivision"].choices = [
            ("", "Anywhere"),
            *lookup.subdivisions(chosen),
        ]
        if not self.is_bound:
            self.initial.update(country=country or "", subdivision=subdivision or "")

    @property
    def region(self) -> str | None:
        return (
            self.cleaned_data.get("subdivision")
            or self.cleaned_data.get("country")
            or None
        )
