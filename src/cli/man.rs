//! The man page `assets/xblocks.1`, generated from [`super::command`] so it never drifts from
//! `--help`: the main page, then a section per command with its options and examples.

use std::io::Write;

/// The man page as roff. Without the commit and build date, so it only changes with the CLI.
pub fn render() -> Vec<u8> {
    let mut cmd = super::command().version(env!("CARGO_PKG_VERSION"));
    cmd.build();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut out).expect("writing to a Vec");
    man.render_name_section(&mut out).expect("writing to a Vec");
    man.render_synopsis_section(&mut out)
        .expect("writing to a Vec");
    man.render_description_section(&mut out)
        .expect("writing to a Vec");
    man.render_options_section(&mut out)
        .expect("writing to a Vec");
    let _ = writeln!(out, ".SH COMMANDS");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        let _ = writeln!(out, ".SS \"xblocks {}\"", name);
        if let Some(about) = sub.get_about() {
            let _ = writeln!(out, "{}", roff_text(&about.to_string()));
        }
        let visible = |a: &&clap::Arg| !a.is_hide_set() && !a.is_global_set();
        for arg in sub.get_arguments().filter(visible) {
            let _ = writeln!(out, ".TP\n{}", roff_text(&arg_label(arg)));
            if let Some(help) = arg.get_help() {
                let _ = writeln!(out, "{}", roff_text(&help.to_string()));
            }
        }
        if let Some(examples) = sub.get_after_help() {
            let _ = writeln!(out, ".PP\n.nf\n{}\n.fi", roff_text(&examples.to_string()));
        }
    }
    if let Some(examples) = cmd.get_after_help() {
        let _ = writeln!(
            out,
            ".SH EXAMPLES\n.nf\n{}\n.fi",
            roff_text(&examples.to_string())
        );
    }
    let _ = writeln!(
        out,
        ".SH EXIT STATUS\n0 ok, 1 other error, 2 usage, 3 rate limited with \\-\\-no\\-wait, \
         4 not found, 5 forbidden, 6 stopped by money (a cap or X's 402), 77 not signed in, \
         130 interrupted (work saved)."
    );
    man.render_version_section(&mut out)
        .expect("writing to a Vec");
    out
}

/// `-o, --output <OUTPUT>` or `<TARGET>...` for an argument.
fn arg_label(arg: &clap::Arg) -> String {
    let value = arg
        .get_value_names()
        .map(|v| {
            v.iter()
                .map(|n| format!("<{n}>"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| format!("<{}>", arg.get_id().as_str().to_uppercase()));
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    let mut names = Vec::new();
    if let Some(s) = arg.get_short() {
        names.push(format!("-{s}"));
    }
    if let Some(l) = arg.get_long() {
        names.push(format!("--{l}"));
    }
    if names.is_empty() {
        return value;
    }
    let names = names.join(", ");
    if takes_value {
        format!("{names} {value}")
    } else {
        names
    }
}

/// Escapes text for roff: backslashes, leading dots and quotes, and hyphens.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.replace('\\', "\\\\").replace('-', "\\-");
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    /// `assets/xblocks.1` is what the CLI renders; `XBLOCKS_BLESS=1` rewrites it.
    #[test]
    fn the_man_page_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/xblocks.1");
        let page = super::render();
        if std::env::var_os("XBLOCKS_BLESS").is_some() {
            std::fs::write(path, &page).unwrap();
        }
        let stored = std::fs::read(path).unwrap_or_default();
        assert!(
            stored == page,
            "assets/xblocks.1 is stale (the CLI changed): regenerate it with \
             `XBLOCKS_BLESS=1 cargo test --lib cli::man` and commit it"
        );
        let text = String::from_utf8(page).unwrap();
        assert!(text.contains(".SS \"xblocks export\""));
        assert!(text.contains("\\-\\-format"));
    }
}
