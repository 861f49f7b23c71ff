"""X's official Python SDK (xdk) paging a whole block list, for benches/export.rs.

Usage: python sdk_paginator.py BASE_URL ACCESS_TOKEN USER_ID USER_FIELDS
Prints "accounts SECONDS PAGES" (time from the first request to the last account).
"""
import sys
import time

from xdk import Client

base, token, me, fields = sys.argv[1:5]
client = Client(base_url=base, access_token=token)
t0 = time.perf_counter()
n = pages = 0
for page in client.users.get_blocking(me, max_results=1000, user_fields=fields.split(",")):
    pages += 1
    n += len(page.data or [])
print(n, time.perf_counter() - t0, pages)
