"""The catalog: which services, symptoms and places the radar knows.

`load` writes it from the data files and pycountry; `lookup` reads it from
memory on the write path.
"""

from outages.catalog.load import load_catalog, read_services

__all__ = ["load_catalog", "read_services"]
