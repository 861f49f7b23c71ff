//! How long a run of writes takes at the write budget: pure arithmetic over what the last
//! answer reported (or X's documented 50 writes per 15-minute window when nothing has).

use std::time::SystemTime;

use super::ratelimit::Budget;

/// Documented writes per window of the block and mute endpoints (CONTRACT §2, §6).
pub const DEFAULT_WRITE_LIMIT: u32 = 50;
/// X's rate-limit window in seconds.
pub const WINDOW_SECS: u64 = 900;

/// Seconds until the last of `n` writes can be sent, at `now`, given the endpoint's last known
/// `budget` and the length of a window. Without a budget the current window is assumed full
/// and its reset a whole window away, so 60 writes when 50 fit is one window, never "now".
pub fn eta_secs(n: usize, budget: Option<Budget>, window_secs: u64, now: SystemTime) -> u64 {
    let n = n as u64;
    let reset_in = |b: &Budget| {
        b.reset
            .duration_since(now)
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
            .unwrap_or(0)
    };
    let (limit, remaining, reset_in) = match budget {
        // A window that has already reset is full again.
        Some(b) if reset_in(&b) > 0 => (
            u64::from(b.limit.max(1)),
            u64::from(b.remaining),
            reset_in(&b),
        ),
        Some(b) => (
            u64::from(b.limit.max(1)),
            u64::from(b.limit.max(1)),
            window_secs,
        ),
        None => (
            u64::from(DEFAULT_WRITE_LIMIT),
            u64::from(DEFAULT_WRITE_LIMIT),
            window_secs,
        ),
    };
    if n <= remaining {
        return 0;
    }
    let windows = (n - remaining).div_ceil(limit);
    reset_in + (windows - 1) * window_secs
}

/// `m:ss` or `h:mm:ss`.
pub fn clock(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sixty_writes_when_fifty_fit_are_not_now() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(eta_secs(50, None, 900, now), 0);
        assert_eq!(eta_secs(60, None, 900, now), 900);
        assert_eq!(eta_secs(151, None, 900, now), 3 * 900);
        let b = Budget {
            limit: 50,
            remaining: 10,
            reset: now + Duration::from_secs(120),
        };
        assert_eq!(eta_secs(10, Some(b), 900, now), 0);
        assert_eq!(eta_secs(11, Some(b), 900, now), 120);
        assert_eq!(eta_secs(61, Some(b), 900, now), 120 + 900);
        // A budget whose window already reset counts as a full window.
        let old = Budget {
            limit: 50,
            remaining: 0,
            reset: now - Duration::from_secs(5),
        };
        assert_eq!(eta_secs(50, Some(old), 900, now), 0);
        assert_eq!(eta_secs(51, Some(old), 900, now), 900);
    }

    #[test]
    fn clock_formats() {
        assert_eq!(clock(61), "1:01");
        assert_eq!(clock(3661), "1:01:01");
    }
}
