"""The demo's Python function (handler "app.handler"), standard library only.

Its init is what a typical Python function's init is: imports. The imports
below are the whole init (no other work at module level); they are the
kind of stack a real handler pulls in (an HTTP client, e-mail and XML
parsing, decimals for money, sqlite3, logging, ...). The handler then uses
a few of them.

    python3 app.py          runs the handler once on a sample event
    python3 -X importtime app.py    Python's own view of this init
"""

# --- The function's init: every import, in one place. ---
import base64
import collections
import concurrent.futures
import contextlib
import csv
import dataclasses
import datetime
import decimal
import email.message
import email.parser
import email.policy
import email.utils
import functools
import gzip
import hashlib
import hmac
import http.client
import io
import json
import logging
import pathlib
import re
import secrets
import sqlite3
import ssl
import statistics
import string
import sys
import tempfile
import textwrap
import typing
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
import zipfile
# --- end of the init ---

logger = logging.getLogger("app")

PRICES = {"coffee": "3.20", "bagel": "2.45", "juice": "4.10"}


@dataclasses.dataclass
class Line:
    item: str
    qty: int
    price: decimal.Decimal


def order_lines(event: typing.Mapping) -> typing.List[Line]:
    """The event's items ({"items": {"coffee": 2}}), or a default order."""
    items = event.get("items") if isinstance(event, dict) else None
    if not isinstance(items, dict) or not items:
        items = {"coffee": 2, "bagel": 1}
    lines = []
    for item, qty in sorted(items.items()):
        price = decimal.Decimal(PRICES.get(item, "1.00"))
        lines.append(Line(str(item), int(qty), price))
    return lines


def handler(event, context):
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("the event asked the handler to fail")

    lines = order_lines(event)
    cents = decimal.Decimal("0.01")
    total = sum((ln.price * ln.qty for ln in lines), decimal.Decimal(0)).quantize(
        cents, rounding=decimal.ROUND_HALF_UP)

    # The same order through an in-memory sqlite3 table.
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        db.execute("CREATE TABLE line (item TEXT, qty INTEGER, cents INTEGER)")
        db.executemany("INSERT INTO line VALUES (?, ?, ?)",
                       [(ln.item, ln.qty, int(ln.price / cents)) for ln in lines])
        rows, sql_cents = db.execute("SELECT COUNT(*), SUM(qty * cents) FROM line").fetchone()

    # A receipt: CSV, then as an e-mail, its digest, and an XML summary.
    buf = io.StringIO()
    csv.writer(buf).writerows([(ln.item, ln.qty, str(ln.price)) for ln in lines])
    msg = email.message.EmailMessage()
    msg["Subject"] = "Receipt %s" % context.aws_request_id
    msg["Date"] = email.utils.formatdate(usegmt=True)
    msg.set_content(buf.getvalue())
    receipt = msg.as_bytes()
    summary = ET.Element("order", total=str(total), lines=str(rows))

    logger.info("order %s: %s", context.aws_request_id, total)
    return {
        "hello": "from python",
        "requestId": context.aws_request_id,
        "event": event,
        "total": str(total),
        "sqlTotal": str(decimal.Decimal(sql_cents) * cents),
        "rows": rows,
        "receiptSha256": hashlib.sha256(receipt).hexdigest(),
        "summary": ET.tostring(summary, encoding="unicode"),
        "python": "%d.%d.%d" % tuple(sys.version_info[:3]),
    }


if __name__ == "__main__":
    class _Context:
        aws_request_id = str(uuid.uuid4())
        function_name = "app"

    print(json.dumps(handler({"name": "coldtrace"}, _Context())))
