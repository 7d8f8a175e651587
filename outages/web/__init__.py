"""What people and clients see: pages, the report form's flow, the read API.

Reads only what the pipeline wrote (buckets, incidents, the published
status, the detector's saved baselines); the one write, a report, goes
through `reports.intake`.
"""
