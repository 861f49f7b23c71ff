//! User lookups: `/2/users/me`, `/2/users/:id`, `/2/users?ids=`, `/2/users/by/username/:u`,
//! `/2/users/by?usernames=`, and the rendering of user lists with their includes.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{bad_id, begin, valid_id, valid_username, ApiReq};
use crate::emulator::fields::{Relation, Selection, SELECTION_PARAMS};
use crate::emulator::limits;
use crate::emulator::problems::{self, Invalid};
use crate::emulator::state::Shared;

/// What a list of users renders to: `data`, `includes`, `errors`.
pub struct Rendered {
    /// The user objects.
    pub data: Vec<Value>,
    /// `includes` (absent when nothing was expanded and found).
    pub includes: Option<Value>,
    /// Partial errors.
    pub errors: Vec<Value>,
}

/// Renders accounts with the selection, expanding posts when asked.
pub fn render(s: &Shared, sel: &Selection, me: Option<u32>, indices: &[u32]) -> Rendered {
    let rels: Vec<Relation> = {
        let inner = s.lock();
        indices
            .iter()
            .map(|&i| Relation {
                me: Some(i) == me,
                blocking: inner.blocks.contains(i),
                muting: inner.mutes.contains(i),
            })
            .collect()
    };
    let host = sel.vocab.problem_host();
    let word = match sel.vocab {
        crate::emulator::fields::Vocab::Tweet => "tweet",
        crate::emulator::fields::Vocab::Post => "post",
    };
    let mut data = Vec::with_capacity(indices.len());
    let mut posts = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (&idx, rel) in indices.iter().zip(rels) {
        let profile = s.world.profile(idx);
        data.push(sel.user(&profile, rel));
        let wanted = [
            (sel.pinned, "pinned", s.world.pinned_post(idx)),
            (sel.recent, "most_recent", s.world.recent_post(idx)),
        ];
        for (want, what, post) in wanted {
            let Some(post) = post.filter(|_| want) else {
                continue;
            };
            let id = post.id.to_string();
            let param = format!("{what}_{word}_id");
            if post.deleted {
                errors.push(json!({"value":id,"detail":format!("Could not find {word} with {param}: [{id}]."),"title":"Not Found Error","resource_type":word,"parameter":param,"resource_id":id,"type":format!("https://{host}/2/problems/resource-not-found")}));
            } else if post.protected && Some(idx) != me {
                errors.push(json!({"value":id,"detail":format!("Sorry, you are not authorized to see the {} with {param}: [{id}].", if word == "tweet" {"Tweet"} else {"Post"}),"title":"Authorization Error","resource_type":word,"parameter":param,"resource_id":id,"section":"includes","type":format!("https://{host}/2/problems/not-authorized-for-resource")}));
            } else if seen.insert(post.id) {
                posts.push(sel.post(&post, &profile.id));
            }
        }
    }
    let includes = (!posts.is_empty()).then(|| json!({ format!("{word}s"): posts }));
    Rendered {
        data,
        includes,
        errors,
    }
}

/// `{"data":…,"includes":…,"errors":…}` in captured key order; `data` single or a list.
fn envelope(r: Rendered, single: bool, mut extra_errors: Vec<Value>) -> Value {
    let mut m = Map::new();
    if single {
        if let Some(u) = r.data.into_iter().next() {
            m.insert("data".into(), u);
        }
    } else if !r.data.is_empty() {
        m.insert("data".into(), Value::Array(r.data));
    }
    if let Some(i) = r.includes {
        m.insert("includes".into(), i);
    }
    extra_errors.extend(r.errors);
    if !extra_errors.is_empty() {
        m.insert("errors".into(), Value::Array(extra_errors));
    }
    Value::Object(m)
}

fn allowed(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v = extra.to_vec();
    v.extend_from_slice(SELECTION_PARAMS);
    v
}

/// Looks up accounts by a list of keys; not-found and suspended ones become partial errors.
fn lookup(
    s: &Shared,
    sel: &Selection,
    me: Option<u32>,
    keys: &[&str],
    param: &str,
    find: impl Fn(&str) -> Option<u32>,
    single: bool,
) -> Value {
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
    envelope(render(s, sel, me, &found), single, errors)
}

/// `GET /2/users/me`.
pub async fn me(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let ctx = match begin(&s, &r, &limits::ME) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&allowed(&[]));
    let sel = Selection::parse(&r.query, &mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let me = ctx.user.unwrap_or(0);
    let body = envelope(render(&s, &sel, Some(me), &[me]), true, Vec::new());
    ctx.finish(problems::ok(&body))
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
    let sel = Selection::parse(&r.query, &mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let body = lookup(
        &s,
        &sel,
        ctx.user,
        &[&id],
        "id",
        |k| s.world.index_of_id(k),
        true,
    );
    ctx.finish(problems::ok(&body))
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
    let sel = Selection::parse(&r.query, &mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let body = lookup(
        &s,
        &sel,
        ctx.user,
        &ids,
        "ids",
        |k| s.world.index_of_id(k),
        false,
    );
    ctx.finish(problems::ok(&body))
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
    let sel = Selection::parse(&r.query, &mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let body = lookup(
        &s,
        &sel,
        ctx.user,
        &[&username],
        "username",
        |k| s.world.index_of_username(k),
        true,
    );
    ctx.finish(problems::ok(&body))
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
    let sel = Selection::parse(&r.query, &mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    let body = lookup(
        &s,
        &sel,
        ctx.user,
        &names,
        "usernames",
        |k| s.world.index_of_username(k),
        false,
    );
    ctx.finish(problems::ok(&body))
}
