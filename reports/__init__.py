"""Report intake: validate, limit, de-duplicate and durably store each report."""
