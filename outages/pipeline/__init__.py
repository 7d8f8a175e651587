"""The worker's path from stored reports to what the radar says.

bucketing (reports -> per-minute counts) -> counts and family (the counts as
the detector's arrays, and who borrows from whom) -> cycle (one detection pass
a minute; history teaches a new radar) -> incidents (open, update, resolve)
-> status (each service's level, published for the pages and the API).
"""
