"""The API's JSON parser: DRF's, with a body nested too deep a 400 as well.

Python's parser gives up on a few thousand nested brackets with a
RecursionError, which DRF lets through as a server error.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
