"""Consumption as a CSV download: a ``start,kwh,cost`` header, then one row per bucket.

``cost`` is empty when the device has no tariff (or the bucket has no price).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal


def kwh_text(value: Decimal) -> str:
    """Exact decimal text without trailing zeros (``1.25``, ``0``), never ``1E+1``."""
    return format(value.normalize(), "f") if value else "0"


def download(buckets: list[dict], filename: str) -> tuple[str, int, dict[str, str]]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["start", "kwh", "cost"])
    for bucket in buckets:
        cost = "" if bucket["cost"] is None else format(bucket["cost"], "f")
        writer.writerow([bucket["start"].isoformat(), kwh_text(bucket["kwh"]), cost])
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return out.getvalue(), 200, headers
