"""The report form: which symptom, and where (the country and an optional state)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from outages.catalog import lookup
from outages.models import Symptom


class QuickSelect(forms.Select):
    """A <select> written in Python.

    Django renders each option through a template of its own, which made the
    250 countries most of a service page's server time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, " selected" if str(code) in chosen else "", label)
                for code, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


class ReportForm(forms.Form):
    symptom = forms.ChoiceField(label="What is wrong?")
    country = forms.ChoiceField(label="Country", required=False, widget=QuickSelect)
    subdivision = forms.ChoiceField(
        label="State or region (optional)",
        required=False,
        widget=QuickSelect,
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
