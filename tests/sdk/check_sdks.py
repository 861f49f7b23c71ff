"""Drives the emulator with X's official Python SDK (xdk), requests-oauthlib and
python-twitter-v2 (pytwitter), unchanged.

Usage: python check_sdks.py BASE_URL EXPECTED_BLOCKED_COUNT EXPECTED_MUTED_COUNT
Prints one line per check and a closing "N passed, N failed" line; exits non-zero on failure.
"""
import os
import re
import sys
import traceback
import urllib.parse

os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the emulator serves plain http on 127.0.0.1
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # likewise for pytwitter's authlib

import requests
from requests_oauthlib import OAuth1Session
from xdk import Client
from xdk.oauth1_auth import OAuth1

BASE = sys.argv[1].rstrip("/")
EXPECTED = int(sys.argv[2])
EXPECTED_MUTED = int(sys.argv[3])
assert urllib.parse.urlparse(BASE).hostname == "127.0.0.1", "tests talk only to 127.0.0.1"
SCOPES = ["tweet.read", "users.read", "block.read", "block.write", "mute.read", "mute.write", "offline.access"]
results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append(True)
            print(f"ok   {name}")
        except Exception:
            results.append(False)
            print(f"FAIL {name}")
            traceback.print_exc()
        return fn
    return wrap


state = {}


@check("xdk OAuth 2.0 PKCE sign-in")
def _():
    client = Client(
        base_url=BASE,
        client_id="xblocks-demo",
        redirect_uri="http://127.0.0.1:8765/callback",
        scope=SCOPES,
        authorization_base_url=BASE + "/i",
    )
    url = client.get_authorization_url(state="sdk-state-123")
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.status_code
    loc = r.headers["location"]
    q = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)
    assert q["state"] == ["sdk-state-123"], loc
    token = client.exchange_code(q["code"][0])
    assert token["access_token"] and token["refresh_token"], "no tokens"
    state["client"] = client


@check("xdk users.get_me")
def _():
    me = state["client"].users.get_me()
    state["me"] = me.data.id if hasattr(me.data, "id") else me.data["id"]
    assert state["me"]


@check("xdk users.get_blocking pages through the whole list exactly once")
def _():
    ids = []
    for page in state["client"].users.get_blocking(
        state["me"], max_results=1000, user_fields=["created_at", "description", "public_metrics", "verified", "protected"]
    ):
        for u in page.data or []:
            ids.append(u.id if hasattr(u, "id") else u["id"])
    assert len(ids) == EXPECTED, f"{len(ids)} != {EXPECTED}"
    assert len(set(ids)) == len(ids), "duplicates"


@check("xdk users.get_blocking with post vocabulary expansions")
def _():
    page = next(iter(state["client"].users.get_blocking(
        state["me"], max_results=100, expansions=["pinned_post_id"], post_fields=["created_at", "text"]
    )))
    assert page.data, "empty page"


@check("requests-oauthlib OAuth 1.0a PIN flow and signed requests")
def _():
    s = OAuth1Session("xblocks-demo-key", client_secret="xblocks-demo-secret", callback_uri="oob")
    s.fetch_request_token(BASE + "/oauth/request_token")
    page = requests.get(s.authorization_url(BASE + "/oauth/authorize"), timeout=10).text
    pin = re.search(r"PIN: *(\d+)", page).group(1)
    tok = s.fetch_access_token(BASE + "/oauth/access_token", verifier=pin)
    state["oauth1"] = tok
    signed = OAuth1Session(
        "xblocks-demo-key", client_secret="xblocks-demo-secret",
        resource_owner_key=tok["oauth_token"], resource_owner_secret=tok["oauth_token_secret"],
    )
    r = signed.get(BASE + "/2/users/me", params={"user.fields": "created_at,description"})
    assert r.status_code == 200, r.text
    r = signed.get(BASE + f"/2/users/{state['me']}/blocking", params={"max_results": 5, "user.fields": "created_at"})
    assert r.status_code == 200 and len(r.json()["data"]) == 5, r.text
    bad = OAuth1Session(
        "xblocks-demo-key", client_secret="wrong-secret",
        resource_owner_key=tok["oauth_token"], resource_owner_secret=tok["oauth_token_secret"],
    )
    assert bad.get(BASE + "/2/users/me").status_code == 401


@check("xdk OAuth 1.0a user context")
def _():
    tok = state["oauth1"]
    client = Client(base_url=BASE, auth=OAuth1("xblocks-demo-key", "xblocks-demo-secret", "oob",
                                               tok["oauth_token"], tok["oauth_token_secret"]))
    page = next(iter(client.users.get_blocking(state["me"], max_results=10)))
    assert len(page.data) == min(10, EXPECTED)


def pytwitter_api(**kwargs):
    """A pytwitter Api pointed at the emulator through its own base-URL attributes."""
    from pytwitter import Api

    api = Api(**kwargs)
    api.BASE_URL_V2 = BASE + "/2"
    api.BASE_REQUEST_TOKEN_URL = BASE + "/oauth/request_token"
    api.BASE_AUTHORIZE_URL = BASE + "/oauth/authorize"
    api.BASE_ACCESS_TOKEN_URL = BASE + "/oauth/access_token"
    api.BASE_OAUTH2_AUTHORIZE_URL = BASE + "/i/oauth2/authorize"
    api.BASE_OAUTH2_ACCESS_TOKEN_URL = BASE + "/2/oauth2/token"
    return api


def page_all(fetch):
    ids, token = [], None
    while True:
        resp = fetch(token)
        ids.extend(u.id for u in resp.data or [])
        token = resp.meta.next_token if resp.meta else None
        if not token:
            return ids


@check("python-twitter-v2 OAuth 2.0 PKCE sign-in, get_me, paging blocks and mutes")
def _():
    api = pytwitter_api(client_id="xblocks-demo", oauth_flow=True, scopes=SCOPES,
                        callback_uri="http://127.0.0.1:8765/callback")
    url, verifier, st = api.get_oauth2_authorize_url()
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 302, (r.status_code, r.text)
    api.generate_oauth2_access_token(r.headers["location"], verifier)
    me = api.get_me(return_json=True)["data"]["id"]
    assert me == state["me"], me
    ids = page_all(lambda t: api.get_blocking_users(me, max_results=1000, pagination_token=t,
                                                    user_fields=["created_at", "public_metrics"]))
    assert len(ids) == EXPECTED and len(set(ids)) == EXPECTED, len(ids)
    muted = page_all(lambda t: api.get_user_muting(me, max_results=1000, pagination_token=t))
    assert len(muted) == EXPECTED_MUTED and len(set(muted)) == EXPECTED_MUTED, len(muted)
    target = ids[3]
    assert api.mute_user(me, target_user_id=target)["data"]["muting"] is True
    assert api.unmute_user(me, target_user_id=target)["data"]["muting"] is False


@check("python-twitter-v2 OAuth 1.0a paging")
def _():
    tok = state["oauth1"]
    api = pytwitter_api(consumer_key="xblocks-demo-key", consumer_secret="xblocks-demo-secret",
                        access_token=tok["oauth_token"], access_secret=tok["oauth_token_secret"])
    ids = page_all(lambda t: api.get_blocking_users(state["me"], max_results=1000, pagination_token=t))
    assert len(ids) == EXPECTED and len(set(ids)) == EXPECTED, len(ids)


passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
