//! Fault injection: `"5xx=P,reset=P,delay-ms=N,malformed=P"`, drawn from a seeded RNG.

use std::str::FromStr;

use rand::Rng;

/// Fault rates. All zero by default.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Faults {
    /// Probability of a 500 or 503 instead of the answer.
    pub server_error: f64,
    /// Probability of closing the connection without an answer.
    pub reset: f64,
    /// Latency added to every API request, in milliseconds.
    pub delay_ms: u64,
    /// Probability of a 200 answer whose JSON body is cut short.
    pub malformed: f64,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Served normally.
    None,
    /// Connection closed without a response.
    Drop,
    /// 500 or 503.
    ServerError(u16),
    /// Body truncated.
    Malformed,
}

impl Faults {
    /// Any fault configured?
    pub fn is_active(&self) -> bool {
        *self != Faults::default()
    }

    /// Draws the fault of one request.
    pub fn roll(&self, rng: &mut impl Rng) -> Fault {
        let x: f64 = rng.gen();
        if x < self.reset {
            Fault::Drop
        } else if x < self.reset + self.server_error {
            Fault::ServerError(if rng.gen::<bool>() { 500 } else { 503 })
        } else if x < self.reset + self.server_error + self.malformed {
            Fault::Malformed
        } else {
            Fault::None
        }
    }
}

impl FromStr for Faults {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        let mut f = Faults::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                format!("fault `{part}` needs a value, e.g. 5xx=0.05 (keys: 5xx, reset, delay-ms, malformed)")
            })?;
            let prob = || -> Result<f64, String> {
                match value.trim().parse::<f64>() {
                    Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
                    _ => Err(format!(
                        "fault `{key}` wants a probability between 0 and 1, got `{value}`"
                    )),
                }
            };
            match key.trim() {
                "5xx" => f.server_error = prob()?,
                "reset" => f.reset = prob()?,
                "malformed" => f.malformed = prob()?,
                "delay-ms" => {
                    f.delay_ms = value.trim().parse().map_err(|_| {
                        format!("fault `delay-ms` wants whole milliseconds, got `{value}`")
                    })?
                }
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (keys: 5xx, reset, delay-ms, malformed)"
                    ))
                }
            }
        }
        if f.server_error + f.reset + f.malformed > 1.0 {
            return Err("fault probabilities add up to more than 1".into());
        }
        Ok(f)
    }
}

/// A canned answer one endpoint gives instead of serving (`--answer ENDPOINT=ANSWER`): what a
/// client sees when X answers something it does not expect (capability probes, money, plans).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// That status with a generic `about:blank` problem body.
    Status(u16),
    /// 200 with an HTML page (a proxy or captive portal in the way).
    Html,
    /// X's 403 `client-forbidden` with reason `user-not-enrolled`.
    UserNotEnrolled,
    /// X's 402 credits depleted.
    Credits,
    /// X's usage-cap 429 (with `remaining` left).
    UsageCap,
    /// A rate-limit 429 whose problem type is `…/problems/rate-limit-exceeded`.
    RateLimitExceeded,
}

/// The `ANSWER` words `--answer` takes besides a status code.
pub const ANSWER_WORDS: &str =
    "a status code 100-599, html, user-not-enrolled, credits, usage-cap, rate-limit-exceeded";

/// Parses `ENDPOINT=ANSWER`, e.g. `unblock=404` or `blocking=user-not-enrolled`.
pub fn parse_answer(spec: &str) -> Result<(&'static str, Answer), String> {
    let (name, answer) = spec
        .split_once('=')
        .ok_or_else(|| format!("`{spec}` is not ENDPOINT=ANSWER, e.g. unblock=404"))?;
    let names = || {
        super::limits::ALL
            .iter()
            .map(|e| e.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ep = super::limits::ALL
        .iter()
        .find(|e| e.name == name.trim())
        .ok_or_else(|| format!("unknown endpoint `{name}` (known: {})", names()))?;
    let answer = match answer.trim() {
        "html" => Answer::Html,
        "user-not-enrolled" => Answer::UserNotEnrolled,
        "credits" => Answer::Credits,
        "usage-cap" => Answer::UsageCap,
        "rate-limit-exceeded" => Answer::RateLimitExceeded,
        code => match code.parse::<u16>() {
            Ok(c) if (100..=599).contains(&c) => Answer::Status(c),
            _ => return Err(format!("unknown answer `{code}` (known: {ANSWER_WORDS})")),
        },
    };
    Ok((ep.name, answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn parses_and_rejects() {
        let f: Faults = "5xx=0.05,reset=0.01,delay-ms=200,malformed=0.01"
            .parse()
            .unwrap();
        assert_eq!(f.server_error, 0.05);
        assert_eq!(f.delay_ms, 200);
        assert_eq!("".parse::<Faults>().unwrap(), Faults::default());
        assert!("5xx=2"
            .parse::<Faults>()
            .unwrap_err()
            .contains("between 0 and 1"));
        assert!("boom=1"
            .parse::<Faults>()
            .unwrap_err()
            .contains("unknown fault"));
        assert!("delay-ms=x".parse::<Faults>().is_err());
        assert!("reset".parse::<Faults>().is_err());
    }

    #[test]
    fn answers_parse_and_reject() {
        assert_eq!(
            parse_answer("unblock=404"),
            Ok(("unblock", Answer::Status(404)))
        );
        assert_eq!(
            parse_answer("blocking=user-not-enrolled"),
            Ok(("blocking", Answer::UserNotEnrolled))
        );
        assert!(parse_answer("nowhere=404")
            .unwrap_err()
            .contains("known: me, user"));
        assert!(parse_answer("me=999")
            .unwrap_err()
            .contains("unknown answer"));
        assert!(parse_answer("me").is_err());
    }

    #[test]
    fn rolls_follow_rates() {
        let f: Faults = "reset=1".parse().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(f.roll(&mut rng), Fault::Drop);
        let none = Faults::default();
        assert_eq!(none.roll(&mut rng), Fault::None);
    }
}
