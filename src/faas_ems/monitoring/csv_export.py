"""Consumption as a CSV download: a ``start,kwh`` header, then one row per bucket."""

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
    writer.writerow(["start", "kwh"])
    for bucket in buckets:
        writer.writerow([bucket["start"].isoformat(), kwh_text(bucket["kwh"])])
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return out.getvalue(), 200, headers
