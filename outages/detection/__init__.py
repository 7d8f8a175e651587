"""The spike detector: pure NumPy and SciPy, no Django.

Arrays in, small frozen dataclasses out. The live pipeline, `backtest` and the
benchmarks all call these functions, so what is measured is what runs.

- baseline: what is normal for a bucket's hour of the week, per series
- dispersion: how much each window's sum varies, learned from its residuals
- shift: a lasting change of level, learned within hours
- borrowing: what a quiet or new series borrows from its parent
- significance: how surprising an observed count is, and which to believe
- lifecycle: when a surprise becomes an incident, and when it ends
- replay: one series (or many) replayed bucket by bucket, causally
"""
