//! Property: paging while blocks and unblocks interleave never duplicates or skips an account
//! that stayed blocked throughout.

use crate::emulator_support;
use std::collections::{HashMap, HashSet};

use emulator_support::{client, get, start};
use proptest::prelude::*;
use serde_json::json;
use xblocks::emulator::Config;

#[derive(Debug, Clone)]
enum Op {
    Page(usize),
    Block(usize),
    Unblock(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1usize..40).prop_map(Op::Page),
        any::<usize>().prop_map(Op::Block),
        any::<usize>().prop_map(Op::Unblock),
    ]
}

async fn run(ops: Vec<Op>) {
    let (emu, token) = start(Config {
        users: 120,
        no_limits: true,
        ..Config::default()
    })
    .await;
    let (me, _) = emu.me();
    let c = client();
    let base = emu.base_url();
    let initial: Vec<String> = emu.blocked_ids();
    let pool: Vec<String> = emu
        .unblocked_accounts(60)
        .into_iter()
        .map(|a| a.0)
        .collect();
    let mut unblocked_ever: HashSet<String> = HashSet::new();
    let mut seen: Vec<String> = Vec::new();
    let mut token_next: Option<String> = None;
    let mut done = false;
    let page = |max: usize, next: Option<String>| {
        let path = match next {
            Some(t) => format!("/2/users/{me}/blocking?max_results={max}&pagination_token={t}"),
            None => format!("/2/users/{me}/blocking?max_results={max}"),
        };
        let emu = &emu;
        let token = &token;
        async move { get(emu, &path, Some(token)).await }
    };
    for op in ops
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(Op::Page(25), 200))
    {
        match op {
            Op::Page(max) => {
                if done {
                    break;
                }
                let r = page(max, token_next.clone()).await;
                assert_eq!(r.status, 200, "{}", r.text);
                for u in r.json["data"].as_array().into_iter().flatten() {
                    seen.push(u["id"].as_str().unwrap().to_string());
                }
                match r.json["meta"]["next_token"].as_str() {
                    Some(t) => token_next = Some(t.to_string()),
                    None => done = true,
                }
            }
            Op::Block(k) => {
                let target = &pool[k % pool.len()];
                let r = c
                    .post(format!("{base}/2/users/{me}/blocking"))
                    .bearer_auth(&token)
                    .json(&json!({"target_user_id": target}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
            Op::Unblock(k) => {
                let current = emu.blocked_ids();
                if current.is_empty() {
                    continue;
                }
                let target = current[k % current.len()].clone();
                let r = c
                    .delete(format!("{base}/2/users/{me}/blocking/{target}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                unblocked_ever.insert(target);
            }
        }
    }
    assert!(done, "paging finished");
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for id in &seen {
        *counts.entry(id).or_default() += 1;
    }
    assert!(counts.values().all(|&n| n == 1), "duplicates in {seen:?}");
    for id in initial.iter().filter(|id| !unblocked_ever.contains(*id)) {
        assert_eq!(
            counts.get(id),
            Some(&1),
            "account {id} blocked throughout was skipped"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn interleaved_writes_never_duplicate_or_skip(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(run(ops));
    }
}
