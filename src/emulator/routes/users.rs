//! User lookups: `/2/users/me`, `/2/users/:id`, `/2/users?ids=`, `/2/users/by/username/:u`,
//! `/2/users/by?usernames=`, and the rendering of user lists with their includes.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::response::Response;
use serde_json::{json, Value};

use super::{bad_id, begin, valid_id, valid_username, ApiReq, Ctx};
use crate::emulator::billing::{self, Item};
use crate::emulator::fields::{Relation, Selection, SELECTION_PARAMS};
use crate::emulator::limits;
use crate::emulator::problems::{self, Invalid};
use crate::emulator::state::Shared;

/// A list of users rendered: serialised `data` and included posts, and partial errors.
pub struct Rendered {
    /// Serialised user objects.
    pub data: Vec<String>,
    /// Serialised expanded posts.
    pub posts: Vec<String>,
    /// `tweet` or `post`.
    pub word: &'static str,
    /// Partial errors.
    pub errors: Vec<Value>,
    /// Accounts in `data` (world indices) and ids of the posts in `includes`, for the bill.
    billed: (Vec<u32>, Vec<u64>),
}

fn key(out: &mut String, first: &mut bool, k: &str) {
    if !std::mem::take(first) {
        out.push(',');
    }
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
}

fn join(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push(']');
}

impl Rendered {
    /// Bills the accounts as `item` and the expanded posts as Posts: Read.
    pub fn bill(&self, s: &Shared, ctx: &mut Ctx, item: Item) {
        ctx.charge(s, item, self.billed.0.iter().map(|&i| u64::from(i)));
        if !self.billed.1.is_empty() {
            ctx.charge(s, Item::PostRead, self.billed.1.iter().copied());
        }
    }

    /// The body `{"data","includes","errors","meta"}` in captured key order; `data` is one
    /// object when `single`. `errors` come before the rendering's own partial errors.
    pub fn into_json(self, single: bool, mut errors: Vec<Value>, meta: Option<Value>) -> String {
        let mut out =
            String::with_capacity(self.data.iter().map(|d| d.len() + 1).sum::<usize>() + 256);
        let mut first = true;
        out.push('{');
        if single {
            if let Some(u) = self.data.first() {
                key(&mut out, &mut first, "data");
                out.push_str(u);
            }
        } else if !self.data.is_empty() {
            key(&mut out, &mut first, "data");
            join(&mut out, &self.data);
        }
        if !self.posts.is_empty() {
            key(&mut out, &mut first, "includes");
            out.push_str(&format!("{{\"{}s\":", self.word));
            join(&mut out, &self.posts);
            out.push('}');
        }
        errors.extend(self.errors);
        if !errors.is_empty() {
            key(&mut out, &mut first, "errors");
            out.push_str(&Value::Array(errors).to_string());
        }
        if let Some(m) = meta {
            key(&mut out, &mut first, "meta");
            out.push_str(&m.to_string());
        }
        out.push('}');
        out
    }
}

/// Renders accounts with the selection, expanding posts when asked.
pub fn render(s: &Shared, sel: &Selection, me: Option<u32>, indices: &[u32]) -> Rendered {
    let rels: Vec<Relation> = {
        let inner = s.lock();
        indices
            .iter()
            .map(|&i| {
                let blocking = inner.blocks.contains(i);
                let other = Some(i) != me && !blocking && !inner.unfollowed.contains(&i);
                Relation {
                    me: Some(i) == me,
                    blocking,
                    muting: inner.mutes.contains(i),
                    following: other && s.world.i_follow(i),
                    followed_by: other && s.world.follows_me(i),
                }
            })
            .collect()
    };
    let host = sel.vocab.problem_host();
    let word = sel.vocab.word();
    let mut data = Vec::with_capacity(indices.len());
    let mut posts = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut post_ids = Vec::new();
    for (&idx, rel) in indices.iter().zip(rels) {
        let profile = s.world.profile(idx);
        data.push(sel.user(&profile, rel));
        let mut wanted = Vec::new();
        if sel.pinned {
            wanted.extend(s.world.pinned_post(idx).map(|p| ("pinned", p)));
        }
        if sel.recent {
            wanted.extend(s.world.recent_post(idx).map(|p| ("most_recent", p)));
        }
        for (what, post) in wanted {
            let id = post.id.to_string();
            let param = format!("{what}_{word}_id");
            if post.deleted {
                errors.push(json!({"value":id,"detail":format!("Could not find {word} with {param}: [{id}]."),"title":"Not Found Error","resource_type":word,"parameter":param,"resource_id":id,"type":format!("https://{host}/2/problems/resource-not-found")}));
            } else if post.protected && Some(idx) != me {
                errors.push(json!({"value":id,"detail":format!("Sorry, you are not authorized to see the {} with {param}: [{id}].", if word == "tweet" {"Tweet"} else {"Post"}),"title":"Authorization Error","resource_type":word,"parameter":param,"resource_id":id,"section":"includes","type":format!("https://{host}/2/problems/not-authorized-for-resource")}));
            } else if seen.insert(post.id) {
                post_ids.push(post.id);
                posts.push(sel.post(&post, &profile.id));
            }
        }
    }
    Rendered {
        data,
        posts,
        word,
        errors,
        billed: (indices.to_vec(), post_ids),
    }
}

fn allowed(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v = extra.to_vec();
    v.extend_from_slice(SELECTION_PARAMS);
    v
}

/// What a lookup's keys are.
#[derive(Clone, Copy)]
enum By {
    Id,
    Username,
}

/// The rest of every lookup: the field selection, a 400 naming every invalid parameter, else
/// the accounts (one object when `single`, from the path; else a list from the query).
fn answer(
    s: &Shared,
    r: &ApiReq,
    mut ctx: Ctx,
    mut errors: Vec<Invalid>,
    keys: &[&str],
    by: By,
    single: bool,
) -> Response {
    let param = match (by, single) {
        (By::Id, true) => "id",
        (By::Id, false) => "ids",
        (By::Username, true) => "username",
        (By::Username, false) => "usernames",
    };
    let sel = r.selection(&mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let body = lookup(
        s,
        &mut ctx,
        &sel,
        keys,
        param,
        |k| match by {
            By::Id => s.world.index_of_id(k),
            By::Username => s.world.index_of_username(k),
        },
        single,
    );
    ctx.finish(problems::ok_text(body))
}

/// Looks up accounts by a list of keys; not-found and suspended ones become partial errors.
fn lookup(
    s: &Shared,
    ctx: &mut Ctx,
    sel: &Selection,
    keys: &[&str],
    param: &str,
    find: impl Fn(&str) -> Option<u32>,
    single: bool,
) -> String {
    let host = sel.vocab.problem_host();
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for &k in keys {
        match find(k) {
            Some(i) if s.world.suspended(i) => {
                errors.push(problems::user_suspended(param, k, host))
            }
            Some(i) => found.push(i),
            None => {
                let mut e = problems::user_not_found(param, k, host);
                e["detail"] = json!(format!("Could not find user with {param}: [{k}]."));
                errors.push(e);
            }
        }
    }
    let rendered = render(s, sel, ctx.user, &found);
    rendered.bill(s, ctx, Item::UserRead);
    rendered.into_json(single, errors, None)
}

/// `GET /2/users/me`.
pub async fn me(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let mut ctx = match begin(&s, &r, &limits::ME) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&allowed(&[]));
    let sel = r.selection(&mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let me = ctx.user.unwrap_or(0);
    let rendered = render(&s, &sel, Some(me), &[me]);
    rendered.bill(&s, &mut ctx, Item::UserRead);
    let body = rendered.into_json(true, Vec::new(), None);
    ctx.finish(problems::ok_text(body))
}

/// `GET /2/users/:id`.
pub async fn by_id(State(s): State<Arc<Shared>>, Path(id): Path<String>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let ctx = match begin(&s, &r, &limits::USER) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&allowed(&["id"]));
    if !valid_id(&id) {
        errors.insert(0, bad_id("id", &id));
    }
    answer(&s, &r, ctx, errors, &[&id], By::Id, true)
}

/// Splits a comma list parameter, checking count 1–100 and each value's pattern.
fn list_param<'a>(
    r: &'a ApiReq,
    name: &str,
    valid: fn(&str) -> bool,
    pattern: &str,
    errors: &mut Vec<Invalid>,
) -> Vec<&'a str> {
    let raw = r.q(name).unwrap_or("");
    if raw.is_empty() {
        errors.push(Invalid {
            parameter: Some((name.to_string(), Vec::new())),
            message: format!("The `{name}` query parameter can not be empty"),
        });
        return Vec::new();
    }
    let values: Vec<&str> = raw.split(',').collect();
    if values.len() > 100 {
        errors.push(Invalid::value(
            name,
            raw,
            format!(
                "The number of values in the `{name}` query parameter list [{}] is not between 1 and 100",
                values.len()
            ),
        ));
    }
    for v in &values {
        if !valid(v) {
            errors.push(Invalid::value(
                name,
                v,
                format!("The `{name}` query parameter value [{v}] does not match {pattern}"),
            ));
        }
    }
    values
}

/// `GET /2/users?ids=`.
pub async fn by_ids(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let ctx = match begin(&s, &r, &limits::USERS) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&allowed(&["ids"]));
    let ids = list_param(&r, "ids", valid_id, "^[0-9]{1,19}$", &mut errors);
    answer(&s, &r, ctx, errors, &ids, By::Id, false)
}

/// `GET /2/users/by/username/:username`.
pub async fn by_username(
    State(s): State<Arc<Shared>>,
    Path(username): Path<String>,
    req: Request,
) -> Response {
    let r = ApiReq::read(req).await;
    let ctx = match begin(&s, &r, &limits::BY_USERNAME) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&allowed(&["username"]));
    if !valid_username(&username) {
        errors.insert(
            0,
            Invalid::value(
                "username",
                &username,
                format!(
                    "The `username` query parameter value [{username}] does not match ^[A-Za-z0-9_]{{1,15}}$"
                ),
            ),
        );
    }
    answer(&s, &r, ctx, errors, &[&username], By::Username, true)
}

/// `GET /2/users/by?usernames=`.
pub async fn by_usernames(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let ctx = match begin(&s, &r, &limits::BY_USERNAMES) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&allowed(&["usernames"]));
    let names = list_param(
        &r,
        "usernames",
        valid_username,
        "^[A-Za-z0-9_]{1,15}$",
        &mut errors,
    );
    answer(&s, &r, ctx, errors, &names, By::Username, false)
}

/// `GET /2/usage/credits`: the payer's balance (user context). Without `--credits` it answers
/// a bare 404, as X did live on 2026-09-08 (CONTRACT §10), so clients learn to fall back.
pub async fn usage_credits(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    if s.config.credits.is_none() {
        return bare_not_found();
    }
    let ctx = match begin(&s, &r, &limits::CREDITS) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let errors = r.unknown_params(&[]);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let balance = s.lock().billing.balance().unwrap_or_default();
    ctx.finish(problems::ok(&billing::credits_body(balance)))
}

fn bare_not_found() -> Response {
    use axum::response::IntoResponse;
    axum::http::StatusCode::NOT_FOUND.into_response()
}
