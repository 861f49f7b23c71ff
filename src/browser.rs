//! The user's web browser, when this session has one: over SSH or without a display there is
//! none, and xblocks shows the address instead of trying.

/// True when a browser can be expected to open here (not over SSH; a display on Linux).
pub fn available() -> bool {
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return false;
    }
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Opens `url` in the browser and waits for the launcher; false when there is no browser or
/// the launcher failed (the reason goes to the log).
pub fn open(url: &str) -> bool {
    if !available() {
        return false;
    }
    match open::that(url) {
        Ok(()) => true,
        Err(e) => {
            tracing::info!("no browser opened for {url}: {e}");
            false
        }
    }
}
