"""The report's fields are defined once; the docs and the schema follow."""

import re
from pathlib import Path

from reports.fields import BATCH_FIELDS, REPORT_FIELDS
from reports.schema import BatchItemIn, ReportIn

API_DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `(\w+)` \| (required|optional) \| (\d+) \|", re.MULTILINE)


def test_the_api_docs_list_every_field_as_it_is_defined():
    documented = {
        name: (kind == "required", int(length))
        for name, kind, length in ROW.findall(API_DOCS.read_text())
    }
    defined = {f.name: (f.required, f.max_length) for f in BATCH_FIELDS}
    assert documented == defined


def test_the_schema_describes_the_fields_as_they_are_defined():
    for serializer, spec in ((ReportIn, REPORT_FIELDS), (BatchItemIn, BATCH_FIELDS)):
        described = {
            name: (field.required, field.max_length)
            for name, field in serializer().fields.items()
        }
        assert described == {f.name: (f.required, f.max_length) for f in spec}
