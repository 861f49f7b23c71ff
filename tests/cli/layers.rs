//! The layer rules of the README's layout section, checked on the source: each top-level
//! module imports only the modules below it (test code aside), so no import points up a layer
//! and no two modules import each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each top-level module may use (the README's "Imports point down only").
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "commands",
        &[
            "api", "app", "auth", "browser", "cli", "emulator", "exit", "jobs", "query", "store",
            "sync", "text", "tui", "worker",
        ],
    ),
    ("cli", &["api", "app", "auth", "emulator", "store"]),
    ("exit", &["api", "auth"]),
    ("tui", &["app", "browser", "ui"]),
    ("worker", &["api", "app", "jobs", "store", "sync", "text"]),
    ("ui", &["api", "app", "query", "store", "sync", "text"]),
    ("app", &["api", "jobs", "query", "store", "sync", "text"]),
    ("sync", &["api", "store"]),
    ("jobs", &["api", "store"]),
    ("auth", &["api", "store"]),
    ("store", &["api", "text"]),
    ("query", &["api", "text"]),
    ("api", &[]),
    ("text", &[]),
    ("browser", &[]),
    ("emulator", &[]),
];

/// `crate::X` paths in `text`, before its first `#[cfg(test)]`.
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    code.match_indices("crate::")
        .map(|(i, m)| {
            code[i + m.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "main" || top == "lib" {
            continue;
        }
        let Some(may) = allowed.get(top.as_str()) else {
            wrong.push(format!(
                "{top}: a top-level module the layer table does not name"
            ));
            continue;
        };
        for used in uses(&std::fs::read_to_string(f).unwrap()) {
            if used != top && !may.contains(&used.as_str()) {
                wrong.push(format!("{}: {top} uses {used}", rel.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    assert!(uses("use crate::tui::Ending;\n").contains("tui"));
    assert!(!uses("#[cfg(test)]\nmod tests { use crate::tui; }").contains("tui"));
}
