//! The public `xblocks::api` client over real HTTP against the in-process emulator:
//! single-flight refresh, rate events and budgets, resumable pagination, lookups, capability.

use crate::common;
use futures::StreamExt;
use xblocks::api::pagination::{pages, ListKind};
use xblocks::api::{ApiError, Capability, Endpoint, RateEvent};
use xblocks::auth::session;

use common::{http_get, Env};

#[test]
fn concurrent_requests_after_expiry_refresh_once() {
    let env = Env::enterprise(10);
    env.login();
    let g = env.global().session();
    env.rt.block_on(async {
        let s = session::connect(&g).await.unwrap();
        env.emu().expire_access_tokens();
        let before = env
            .emu()
            .request_log()
            .iter()
            .filter(|r| r.path == "/2/oauth2/token")
            .count();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let c = s.client.clone();
                tokio::spawn(async move { c.me().await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().id, s.me.id);
        }
        let after = env
            .emu()
            .request_log()
            .iter()
            .filter(|r| r.path == "/2/oauth2/token")
            .count();
        assert_eq!(after - before, 1, "exactly one refresh for eight tasks");
    });
}

#[test]
fn pagination_resumes_from_a_saved_token() {
    let env = Env::enterprise(3500);
    env.login();
    let g = env.global().session();
    let all = env.emu().blocked_ids();
    env.rt.block_on(async {
        let s = session::connect(&g).await.unwrap();
        let first = s.client.blocking_page(&s.me.id, None).await.unwrap();
        assert_eq!(first.users.len(), 1000);
        let saved = first.next_token.clone().expect("more pages");
        let rest: Vec<String> = pages(
            s.client.clone(),
            ListKind::Blocking,
            s.me.id.clone(),
            Some(saved),
        )
        .map(|p| p.unwrap().page.users.into_iter().map(|u| u.id))
        .flat_map(futures::stream::iter)
        .collect()
        .await;
        assert_eq!(rest.len(), 2500);
        assert_eq!(&rest[..], &all[1000..]);
        let b = s.client.budget(Endpoint::Blocking).expect("budget known");
        assert_eq!(b.limit, 15);
        assert!(b.remaining <= 11);
    });
}

#[test]
fn waits_are_announced_with_their_end_then_resumed() {
    let env = Env::start(50, |c| c.window_secs = 6);
    env.login();
    let g = env.global().session();
    let stored = env.stored();
    let token = stored["access_token"].as_str().unwrap().to_string();
    let (id, _) = env.emu().me();
    let url = format!("{}/2/users/{id}/blocking?max_results=1", env.base);
    while http_get(&env, &url, Some(&token)).0 != 429 {}
    env.rt.block_on(async {
        let s = session::connect(&g).await.unwrap();
        let mut events = s.client.rate_events();
        let page = s.client.blocking_page(&s.me.id, None).await.unwrap();
        assert_eq!(page.users.len(), 50);
        match events.try_recv().unwrap() {
            RateEvent::Waiting {
                endpoint, until, ..
            } => {
                assert_eq!(endpoint, "GET /2/users/:id/blocking");
                assert!(until > std::time::UNIX_EPOCH);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            events.try_recv().unwrap(),
            RateEvent::Resumed { .. }
        ));
    });
}

#[test]
fn lookups_split_found_and_not_found() {
    let env = Env::enterprise(10);
    env.login();
    let g = env.global().session();
    let others = env.emu().unblocked_accounts(2);
    env.rt.block_on(async {
        let s = session::connect(&g).await.unwrap();
        let names = vec![others[0].1.clone(), "nobody_here_x".to_string()];
        let l = s.client.users_by_usernames(&names).await.unwrap();
        assert_eq!(l.found.len(), 1);
        assert_eq!(l.found[0].id, others[0].0);
        assert_eq!(l.not_found, vec!["nobody_here_x".to_string()]);
        let ids = vec![others[1].0.clone(), "1".to_string()];
        let l = s.client.users_by_ids(&ids).await.unwrap();
        assert_eq!(l.found.len(), 1);
        assert_eq!(l.not_found, vec!["1".to_string()]);
    });
}

#[test]
fn capability_probe_changes_nothing_on_either_tier() {
    for (env, full) in [(Env::enterprise(20), true), (Env::pay_per_use(20), false)] {
        env.login();
        let g = env.global().session();
        let before = env.emu().blocked_ids();
        env.rt.block_on(async {
            let s = session::connect(&g).await.unwrap();
            let cap = s.client.capability(&s.me.id).await.unwrap();
            assert_eq!(cap == Capability::Full, full, "{cap:?}");
            if !full {
                assert_eq!(
                    s.client
                        .block(&s.me.id, &env.emu().unblocked_accounts(1)[0].0)
                        .await,
                    Err(ApiError::EnterpriseOnly)
                );
            }
        });
        assert_eq!(env.emu().blocked_ids(), before);
    }
}

#[test]
fn opt_in_pinned_posts_survive_partial_errors() {
    let env = Env::enterprise(600);
    let token = env.emu().issue_token(common::SCOPES);
    let (me, _) = env.emu().me();
    let mk = |expand_pinned| {
        xblocks::api::Client::new(xblocks::api::ClientConfig {
            api_base: env.base.clone(),
            credentials: xblocks::auth::Credentials::static_bearer(token.clone(), None).into(),
            no_wait: false,
            expand_pinned,
        })
    };
    env.rt.block_on(async {
        let plain = mk(false).blocking_page(&me, None).await.unwrap();
        assert!(plain.pinned.is_empty(), "pinned posts are opt-in (billed)");
        let page = mk(true).blocking_page(&me, None).await.unwrap();
        assert_eq!(page.users.len(), 600);
        let with_pin = page
            .users
            .iter()
            .filter(|u| u.pinned_tweet_id.is_some())
            .count();
        assert!(with_pin > 0);
        assert!(!page.pinned.is_empty());
        // Every included post is the pinned post of some account; deleted ones are simply absent.
        for id in page.pinned.keys() {
            assert!(page
                .users
                .iter()
                .any(|u| u.pinned_tweet_id.as_deref() == Some(id)));
        }
        assert!(page.pinned.len() <= with_pin);
    });
    // The same page raw: it does carry partial errors (deleted pinned posts) beside `data`.
    let url = format!(
        "{}/2/users/{me}/blocking?max_results=1000&user.fields=pinned_tweet_id&expansions=pinned_tweet_id",
        env.base
    );
    let (status, _, body) = http_get(&env, &url, Some(&token));
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "no partial errors to survive"
    );
}
