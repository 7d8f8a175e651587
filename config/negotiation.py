"""Content negotiation for the API: an unknown `?format=` is a 400 naming it.

DRF answers one with a bare 404 ("Not found."), which reads as a wrong path;
the formats a view has are few (json; the schema's yaml too), so say them.
"""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        kept = [renderer for renderer in renderers if renderer.format == format]
        if not kept:
            known = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise ValidationError(
                {"format": [f"Unknown format {format!r}: use {known}."]}
            )
        return kept
