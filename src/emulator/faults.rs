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
    fn rolls_follow_rates() {
        let f: Faults = "reset=1".parse().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(f.roll(&mut rng), Fault::Drop);
        let none = Faults::default();
        assert_eq!(none.roll(&mut rng), Fault::None);
    }
}
