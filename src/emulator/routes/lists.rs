//! Blocking and muting: paged lists (newest first) and idempotent writes.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::users::render;
use super::{bad_id, begin, valid_id, ApiReq, Ctx, ID_MISMATCH};
use crate::emulator::fields::SELECTION_PARAMS;
use crate::emulator::limits::{self, Endpoint};
use crate::emulator::pagination::{self, Cursor};
use crate::emulator::problems::{self, Invalid};
use crate::emulator::state::{Inner, Shared};

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blocking,
    Muting,
}

impl Kind {
    fn tag(self) -> u8 {
        self as u8
    }
    fn word(self) -> &'static str {
        match self {
            Kind::Blocking => "blocking",
            Kind::Muting => "muting",
        }
    }
    fn list(self, inner: &mut Inner) -> &mut crate::emulator::pagination::SeqList {
        match self {
            Kind::Blocking => &mut inner.blocks,
            Kind::Muting => &mut inner.mutes,
        }
    }
}

/// Page size when a list request names no `max_results`.
pub const DEFAULT_PAGE: usize = 100;

/// `GET /2/users/:id/blocking`.
pub async fn blocking(s: State<Arc<Shared>>, id: Path<String>, req: Request) -> Response {
    list(s, id, req, Kind::Blocking, &limits::BLOCKING).await
}

/// `GET /2/users/:id/muting`.
pub async fn muting(s: State<Arc<Shared>>, id: Path<String>, req: Request) -> Response {
    list(s, id, req, Kind::Muting, &limits::MUTING).await
}

async fn list(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    req: Request,
    kind: Kind,
    ep: &'static Endpoint,
) -> Response {
    let r = ApiReq::read(req).await;
    let mut ctx = match begin(&s, &r, ep) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut allowed = vec!["id", "max_results", "pagination_token"];
    allowed.extend_from_slice(SELECTION_PARAMS);
    let mut errors = r.unknown_params(&allowed);
    if !valid_id(&id) {
        errors.insert(0, bad_id("id", &id));
    }
    // `/muting` declares a default of 100; `/blocking` declares none (CONTRACT §10), and the
    // emulator answers 100 there too, the page size tweepy and the docs' examples use.
    let max = match r.q("max_results").map(parse_max) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            errors.push(e);
            DEFAULT_PAGE
        }
    };
    let cursor = match r.q("pagination_token") {
        None => None,
        // S159/S167 declare `minLength: 16` for `/blocking` only (CONTRACT §10).
        Some(t) if kind == Kind::Blocking && t.chars().count() < 16 => {
            errors.push(bad_param(
                "pagination_token",
                t,
                "does not meet the minimum length of 16",
            ));
            None
        }
        Some(t) => {
            let c = pagination::decode(s.secret, kind.tag(), t);
            if c.is_none() {
                errors.push(bad_param(
                    "pagination_token",
                    t,
                    "is not a valid pagination token",
                ));
            }
            c
        }
    };
    let sel = r.selection(&mut errors);
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    if let Some(resp) = not_me(&s, &ctx, &id) {
        return resp;
    }
    let (page, next, prev) = {
        let mut inner = s.lock();
        let l = kind.list(&mut inner);
        let page = match cursor {
            None => l.older(None, max),
            Some(Cursor::Before(seq)) => l.older(Some(seq), max),
            Some(Cursor::After(seq)) => l.newer(seq, max),
        };
        let next = page
            .last()
            .filter(|(seq, _)| l.has_older(*seq))
            .map(|(seq, _)| pagination::encode(s.secret, kind.tag(), Cursor::Before(*seq)));
        let prev = page
            .first()
            .filter(|(seq, _)| l.has_newer(*seq))
            .map(|(seq, _)| pagination::encode(s.secret, kind.tag(), Cursor::After(*seq)));
        (page, next, prev)
    };
    if page.is_empty() {
        return ctx.finish(problems::ok(&json!({"meta":{"result_count":0}})));
    }
    let indices: Vec<u32> = page.iter().map(|&(_, i)| i).collect();
    let mut meta = Map::new();
    meta.insert("result_count".into(), json!(indices.len()));
    if let Some(p) = prev {
        meta.insert("previous_token".into(), json!(p));
    }
    if let Some(n) = next {
        meta.insert("next_token".into(), json!(n));
    }
    let rendered = render(&s, &sel, ctx.user, &indices);
    if let Some(item) = ep.bill {
        rendered.bill(&s, &mut ctx, item);
    }
    let body = rendered.into_json(false, Vec::new(), Some(Value::Object(meta)));
    ctx.finish(problems::ok_text(body))
}

/// `max_results`: an integer 1–1000.
fn parse_max(v: &str) -> Result<usize, Invalid> {
    match v.parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(bad_param("max_results", v, "is not between 1 and 1000")),
    }
}

/// The 400 entry "The `name` query parameter value [v] <what>".
fn bad_param(name: &str, v: &str, what: &str) -> Invalid {
    Invalid::value(
        name,
        v,
        format!("The `{name}` query parameter value [{v}] {what}"),
    )
}

/// 403 when `:id` is not the authenticated user.
fn not_me(s: &Shared, ctx: &Ctx, id: &str) -> Option<Response> {
    let me = ctx.user.map(|u| s.world.id(u));
    (me.as_deref() != Some(id)).then(|| ctx.finish(problems::forbidden()))
}

/// Validates a write body: a JSON object with exactly `target_user_id` matching the id pattern.
fn target_from_body(r: &ApiReq, errors: &mut Vec<Invalid>) -> Option<String> {
    let v: Value = match serde_json::from_slice(&r.body) {
        Ok(v) => v,
        Err(_) => {
            errors.push(Invalid::message("Request body is not valid JSON."));
            return None;
        }
    };
    let Some(obj) = v.as_object() else {
        errors.push(Invalid::message("Request body must be a JSON object."));
        return None;
    };
    for k in obj.keys().filter(|k| *k != "target_user_id") {
        errors.push(Invalid::value(
            k,
            &obj[k].to_string(),
            format!("The `{k}` body parameter is not one of [target_user_id]"),
        ));
    }
    match obj.get("target_user_id") {
        None => {
            errors.push(Invalid {
                parameter: Some(("target_user_id".into(), Vec::new())),
                message: "The `target_user_id` body parameter can not be empty".into(),
            });
            None
        }
        Some(Value::String(t)) if valid_id(t) => Some(t.clone()),
        Some(other) => {
            let shown = other
                .as_str()
                .map(str::to_string)
                .unwrap_or(other.to_string());
            errors.push(Invalid::value(
                "target_user_id",
                &shown,
                format!("The `target_user_id` body parameter value [{shown}] {ID_MISMATCH}"),
            ));
            None
        }
    }
}

/// `POST /2/users/:id/blocking`.
pub async fn block(s: State<Arc<Shared>>, id: Path<String>, req: Request) -> Response {
    add(s, id, req, Kind::Blocking, &limits::BLOCK).await
}

/// `POST /2/users/:id/muting`.
pub async fn mute(s: State<Arc<Shared>>, id: Path<String>, req: Request) -> Response {
    add(s, id, req, Kind::Muting, &limits::MUTE).await
}

async fn add(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    req: Request,
    kind: Kind,
    ep: &'static Endpoint,
) -> Response {
    let r = ApiReq::read(req).await;
    let ctx = match begin(&s, &r, ep) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&["id"]);
    if !valid_id(&id) {
        errors.insert(0, bad_id("id", &id));
    }
    let target = target_from_body(&r, &mut errors);
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return ctx.finish(problems::invalid(&errors));
    };
    if let Some(resp) = not_me(&s, &ctx, &id) {
        return resp;
    }
    write(&s, &ctx, kind, &target, true)
}

/// `DELETE /2/users/:source_user_id/blocking/:target_user_id`.
pub async fn unblock(s: State<Arc<Shared>>, p: Path<(String, String)>, req: Request) -> Response {
    remove(s, p, req, Kind::Blocking, &limits::UNBLOCK).await
}

/// `DELETE /2/users/:source_user_id/muting/:target_user_id`.
pub async fn unmute(s: State<Arc<Shared>>, p: Path<(String, String)>, req: Request) -> Response {
    remove(s, p, req, Kind::Muting, &limits::UNMUTE).await
}

async fn remove(
    State(s): State<Arc<Shared>>,
    Path((source, target)): Path<(String, String)>,
    req: Request,
    kind: Kind,
    ep: &'static Endpoint,
) -> Response {
    let r = ApiReq::read(req).await;
    let ctx = match begin(&s, &r, ep) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let mut errors = r.unknown_params(&["source_user_id", "target_user_id"]);
    if !valid_id(&source) {
        errors.insert(0, bad_id("source_user_id", &source));
    }
    if !valid_id(&target) {
        errors.push(bad_id("target_user_id", &target));
    }
    if !errors.is_empty() {
        return ctx.finish(problems::invalid(&errors));
    }
    if let Some(resp) = not_me(&s, &ctx, &source) {
        return resp;
    }
    write(&s, &ctx, kind, &target, false)
}

/// Applies a write; repeating it gives the same answer. Writes on yourself change nothing.
fn write(s: &Shared, ctx: &Ctx, kind: Kind, target: &str, on: bool) -> Response {
    let Some(idx) = s.world.index_of_id(target) else {
        let e = problems::user_not_found("target_user_id", target, "api.twitter.com");
        return ctx.finish(problems::problem(
            StatusCode::NOT_FOUND,
            &json!({"errors":[e]}),
        ));
    };
    let state = if Some(idx) == ctx.user {
        false
    } else {
        let mut inner = s.lock();
        if on {
            let seq = inner.next_seq;
            if kind.list(&mut inner).insert(idx, seq) {
                inner.next_seq += 1;
            }
            if matches!(kind, Kind::Blocking) {
                inner.unfollowed.insert(idx);
            }
        } else {
            kind.list(&mut inner).remove(idx);
        }
        on
    };
    ctx.finish(problems::ok(&json!({"data": { kind.word(): state }})))
}
