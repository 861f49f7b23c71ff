// Drives the emulator with the npm libraries twitter-api-v2 and @xdevplatform/xdk, unchanged:
// every flow they document for these endpoints (OAuth 2.0 PKCE, refresh with rotation, revoke,
// the OAuth 1.0a PIN flow, me, paging the whole block list with each paginator, mutes).
//
// Usage: node check_node.cjs NODE_MODULES BASE_URL EXPECTED_BLOCKED EXPECTED_MUTED
// Prints one line per check and a closing "N passed, N failed" line; exits non-zero on failure.
"use strict";
const { createRequire } = require("module");
const path = require("path");
const net = require("net");
const https = require("https");

const [modules, BASE, EXPECTED, EXPECTED_MUTED] = process.argv.slice(2);
const req = createRequire(path.join(modules, "noop.js"));
const { TwitterApi } = req("twitter-api-v2");
const xdk = req("@xdevplatform/xdk");

const emu = new URL(BASE);
if (emu.hostname !== "127.0.0.1") throw new Error("tests talk only to 127.0.0.1");
const REDIRECT = "http://127.0.0.1:8765/callback";
const SCOPES = ["tweet.read", "users.read", "block.read", "block.write", "mute.read", "mute.write", "offline.access"];
const results = [];

async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL ${name}`);
    console.log(e && e.stack ? e.stack : e);
    if (e && e.data) console.log(JSON.stringify(e.data));
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg || "assertion failed");
}

// The browser's part: open an authorize URL (X's host swapped for the emulator's) without
// following the redirect, and return the redirect's query or the page text.
async function browse(url) {
  const u = new URL(url);
  const at = new URL(u.pathname + u.search, BASE);
  const r = await realFetch(at, { redirect: "manual" });
  return { status: r.status, location: r.headers.get("location"), text: await r.text() };
}

function pinOf(page) {
  const m = /PIN: *(\d+)/.exec(page);
  assert(m, "no PIN on the page");
  return m[1];
}

async function expectRejects(p, what) {
  let failed = false;
  try {
    await p;
  } catch (_) {
    failed = true;
  }
  assert(failed, what);
}

// twitter-api-v2 builds https://api.x.com URLs (no base-URL setting) and sends them with Node's
// https module; its own `httpAgent` setting is how it is pointed elsewhere (proxies, tests).
// This agent hands it a plain TCP connection to the emulator for every request: the URL,
// Host header and OAuth 1.0a signature stay X's, as they would behind a TLS-terminating proxy.
class ToEmulator extends https.Agent {
  createConnection() {
    return net.connect(Number(emu.port), emu.hostname);
  }
}
const httpAgent = new ToEmulator();

// @xdevplatform/xdk's Client has `baseUrl`; its OAuth 2.0 and 1.0a helpers call the global
// fetch with X's URLs built in and have no such setting. The script routes those to the
// emulator by origin, as a hosts-file entry would; the library code is untouched.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  let url = typeof input === "string" ? input : input.url || String(input);
  for (const origin of ["https://api.x.com", "https://x.com"]) {
    if (url.startsWith(origin + "/")) url = BASE + url.slice(origin.length);
  }
  return realFetch(url, init);
};

const state = {};

async function main() {
  // ---------------------------------------------------------------- twitter-api-v2
  const app = new TwitterApi({ clientId: "xblocks-demo" }, { httpAgent });

  await check("twitter-api-v2 OAuth 2.0 PKCE sign-in", async () => {
    const { url, codeVerifier, state: st } = app.generateOAuth2AuthLink(REDIRECT, { scope: SCOPES });
    const page = await browse(url);
    assert(page.status === 302, `authorize answered ${page.status}: ${page.text}`);
    const q = new URL(page.location).searchParams;
    assert(q.get("state") === st, "state changed");
    const login = await app.loginWithOAuth2({ code: q.get("code"), codeVerifier, redirectUri: REDIRECT });
    assert(login.accessToken && login.refreshToken, "no tokens");
    assert(login.scope.includes("block.read"), "scopes");
    state.tw = login;
  });

  await check("twitter-api-v2 v2.me", async () => {
    const me = await state.tw.client.v2.me({ "user.fields": ["created_at", "description"] });
    state.me = me.data.id;
    assert(/^\d+$/.test(state.me), "no id");
  });

  const fields = { max_results: 1000, "user.fields": ["created_at", "description", "public_metrics", "verified", "protected"] };
  const unique = (ids, n, what) => {
    assert(ids.length === n, `${what}: ${ids.length} != ${n}`);
    assert(new Set(ids).size === ids.length, `${what}: duplicates`);
  };

  await check("twitter-api-v2 userBlockingUsers: async iteration over every page", async () => {
    const p = await state.tw.client.v2.userBlockingUsers(state.me, fields);
    const ids = [];
    for await (const u of p) ids.push(u.id);
    unique(ids, Number(EXPECTED), "for await");
  });

  await check("twitter-api-v2 userBlockingUsers: fetchNext until done", async () => {
    const p = await state.tw.client.v2.userBlockingUsers(state.me, fields);
    while (!p.done) await p.fetchNext();
    unique(p.users.map((u) => u.id), Number(EXPECTED), "fetchNext");
  });

  await check("twitter-api-v2 userBlockingUsers: fetchLast", async () => {
    const p = await state.tw.client.v2.userBlockingUsers(state.me, fields);
    await p.fetchLast(Infinity);
    unique(p.users.map((u) => u.id), Number(EXPECTED), "fetchLast");
  });

  await check("twitter-api-v2 userBlockingUsers: next() page instances, then previous()", async () => {
    let p = await state.tw.client.v2.userBlockingUsers(state.me, { ...fields, max_results: 700 });
    const ids = [...p.users.map((u) => u.id)];
    const first = ids.slice();
    while (!p.done) {
      p = await p.next();
      ids.push(...p.users.map((u) => u.id));
    }
    unique(ids, Number(EXPECTED), "next()");
    let second = await (await state.tw.client.v2.userBlockingUsers(state.me, { ...fields, max_results: 700 })).next();
    const back = await second.previous();
    assert(JSON.stringify(back.users.map((u) => u.id)) === JSON.stringify(first), "previous() gave another page");
  });

  await check("twitter-api-v2 mutes: userMutingUsers, mute, unmute", async () => {
    const c = state.tw.client.v2;
    const p = await c.userMutingUsers(state.me, { max_results: 1000 });
    const ids = [];
    for await (const u of p) ids.push(u.id);
    unique(ids, Number(EXPECTED_MUTED), "mutes");
    const target = (await c.userBlockingUsers(state.me, { max_results: 5 })).users[4].id;
    assert((await c.mute(state.me, target)).data.muting === true, "mute");
    assert((await c.unmute(state.me, target)).data.muting === false, "unmute");
  });

  await check("twitter-api-v2 block and unblock", async () => {
    const c = state.tw.client.v2;
    const target = (await c.userBlockingUsers(state.me, { max_results: 1 })).users[0].id;
    assert((await c.unblock(state.me, target)).data.blocking === false, "unblock");
    assert((await c.block(state.me, target)).data.blocking === true, "block");
  });

  await check("twitter-api-v2 refreshOAuth2Token rotates; the used refresh token dies", async () => {
    const r = await app.refreshOAuth2Token(state.tw.refreshToken);
    assert(r.refreshToken && r.refreshToken !== state.tw.refreshToken, "not rotated");
    await expectRejects(app.refreshOAuth2Token(state.tw.refreshToken), "a used refresh token still works");
    assert((await r.client.v2.me()).data.id === state.me, "refreshed token");
    state.tw2 = r;
  });

  await check("twitter-api-v2 revokeOAuth2Token", async () => {
    const res = await app.revokeOAuth2Token(state.tw2.accessToken, "access_token");
    assert(res.revoked === true, JSON.stringify(res));
    await expectRejects(state.tw2.client.v2.me(), "a revoked token still works");
  });

  await check("twitter-api-v2 OAuth 1.0a PIN flow, signed v2 calls", async () => {
    const keys = { appKey: "xblocks-demo-key", appSecret: "xblocks-demo-secret" };
    const link = await new TwitterApi(keys, { httpAgent }).generateAuthLink("oob");
    const page = await browse(link.url);
    assert(page.status === 200, `authorize answered ${page.status}`);
    const temp = new TwitterApi({ ...keys, accessToken: link.oauth_token, accessSecret: link.oauth_token_secret }, { httpAgent });
    const { client, userId } = await temp.login(pinOf(page.text));
    assert(userId === state.me, "user id");
    assert((await client.v2.me()).data.id === state.me, "me");
    const p = await client.v2.userBlockingUsers(state.me, fields);
    const ids = [];
    for await (const u of p) ids.push(u.id);
    unique(ids, Number(EXPECTED), "OAuth 1.0a paging");
    const bad = new TwitterApi({ ...keys, appSecret: "wrong", accessToken: client.getActiveTokens().accessToken, accessSecret: client.getActiveTokens().accessSecret }, { httpAgent });
    await expectRejects(bad.v2.me(), "a wrong consumer secret was accepted");
  });

  // ---------------------------------------------------------------- @xdevplatform/xdk
  const oauth2 = new xdk.OAuth2({ clientId: "xblocks-demo", redirectUri: REDIRECT, scope: SCOPES });

  await check("xdk OAuth 2.0 PKCE sign-in", async () => {
    const verifier = xdk.generateCodeVerifier();
    const challenge = await xdk.generateCodeChallenge(verifier);
    await oauth2.setPkceParameters(verifier, challenge);
    const page = await browse(await oauth2.getAuthorizationUrl("xdk-state-1"));
    assert(page.status === 302, `authorize answered ${page.status}: ${page.text}`);
    const q = new URL(page.location).searchParams;
    assert(q.get("state") === "xdk-state-1", "state");
    const tokens = await oauth2.exchangeCode(q.get("code"), verifier);
    assert(tokens.access_token && tokens.refresh_token, "no tokens");
    state.xdk = new xdk.Client({ baseUrl: BASE, accessToken: tokens.access_token });
  });

  await check("xdk users.getMe", async () => {
    const me = await state.xdk.users.getMe({ userFields: ["created_at", "description"] });
    assert(me.data.id === state.me, "me");
  });

  const blockingPaginator = (client, max) =>
    new xdk.UserPaginator(async (token) => {
      const res = await client.users.getBlocking(state.me, {
        maxResults: max,
        paginationToken: token,
        userFields: ["created_at", "description", "public_metrics"],
      });
      return { data: res.data ?? [], meta: res.meta, includes: res.includes, errors: res.errors };
    });

  await check("xdk UserPaginator over getBlocking: fetchNext until done", async () => {
    const p = blockingPaginator(state.xdk, 1000);
    await p.fetchNext();
    while (!p.done) await p.fetchNext();
    unique(p.users.map((u) => u.id), Number(EXPECTED), "fetchNext");
  });

  await check("xdk UserPaginator over getBlocking: async iteration", async () => {
    const ids = [];
    for await (const u of blockingPaginator(state.xdk, 1000)) ids.push(u.id);
    unique(ids, Number(EXPECTED), "for await");
  });

  await check("xdk UserPaginator over getBlocking: next() page instances", async () => {
    let p = blockingPaginator(state.xdk, 800);
    await p.fetchNext();
    const ids = p.users.map((u) => u.id);
    while (!p.done) {
      // next() answers a plain Paginator (its items are `items`, not `users`).
      p = await p.next();
      ids.push(...p.items.map((u) => u.id));
    }
    unique(ids, Number(EXPECTED), "next()");
  });

  await check("xdk mutes: getMuting, muteUser, unmuteUser", async () => {
    const p = new xdk.UserPaginator(async (token) => {
      const res = await state.xdk.users.getMuting(state.me, { maxResults: 1000, paginationToken: token });
      return { data: res.data ?? [], meta: res.meta, includes: res.includes, errors: res.errors };
    });
    const ids = [];
    for await (const u of p) ids.push(u.id);
    unique(ids, Number(EXPECTED_MUTED), "mutes");
    const target = (await state.xdk.users.getBlocking(state.me, { maxResults: 3 })).data[2].id;
    assert((await state.xdk.users.muteUser(state.me, { targetUserId: target })).data.muting === true, "mute");
    assert((await state.xdk.users.unmuteUser(state.me, target)).data.muting === false, "unmute");
  });

  await check("xdk OAuth2.refreshToken rotates; the used refresh token dies", async () => {
    const old = oauth2.getToken().refresh_token;
    const fresh = await oauth2.refreshToken();
    assert(fresh.refresh_token && fresh.refresh_token !== old, "not rotated");
    await expectRejects(oauth2.refreshToken(old), "a used refresh token still works");
    const c = new xdk.Client({ baseUrl: BASE, accessToken: fresh.access_token });
    assert((await c.users.getMe()).data.id === state.me, "refreshed token");
  });

  await check("xdk OAuth 1.0a PIN flow, signed calls", async () => {
    const o1 = new xdk.OAuth1({ apiKey: "xblocks-demo-key", apiSecret: "xblocks-demo-secret", callback: "oob" });
    const url = await o1.startOAuthFlow();
    const page = await browse(url);
    assert(page.status === 200, `authorize answered ${page.status}`);
    const tok = await o1.getAccessToken(pinOf(page.text));
    // As the README shows: a user-context OAuth1 built from the access token. (The flow's own
    // instance keeps the request token and would sign calls with its secret.)
    const user = new xdk.OAuth1({ apiKey: "xblocks-demo-key", apiSecret: "xblocks-demo-secret", ...tok });
    const c = new xdk.Client({ baseUrl: BASE, oauth1: user });
    assert((await c.users.getMe()).data.id === state.me, "me");
    const ids = [];
    for await (const u of blockingPaginator(c, 1000)) ids.push(u.id);
    unique(ids, Number(EXPECTED), "OAuth 1.0a paging");
  });

  const passed = results.filter(Boolean).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exit(passed === results.length ? 0 : 1);
}

main().catch((e) => {
  console.log(e && e.stack ? e.stack : e);
  process.exit(1);
});
