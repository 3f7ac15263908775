//! Quantities as users write them in budgets (`300 ms`, `1 %`, `200/s`,
//! `0.9`) and their exact comparison with a tool's numbers.
//!
//! Exact means decimal: a measured value is compared as the shortest
//! decimal that reads back to it (what the tool wrote, `0.105563`), the
//! bound as the user wrote it, and units differ by powers of ten only, so
//! `0.3 s` and `300 ms` are the same bound and `0.1 + 0.2` never leaks in.

use std::cmp::Ordering;

/// What a quantity measures; only quantities of one dimension compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Time,
    Bytes,
    /// A fraction (error rate, score): `%` or a bare number.
    Ratio,
    /// Per second (throughput): `/s`.
    Rate,
    /// Bytes per second (Go `MB/s`).
    ByteRate,
    /// A plain number (a count, a unitless value).
    Number,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Time => "a time",
            Dimension::Bytes => "a size in bytes",
            Dimension::Ratio => "a ratio",
            Dimension::Rate => "a rate per second",
            Dimension::ByteRate => "bytes per second",
            Dimension::Number => "a plain number",
        }
    }
}

/// A unit: its dimension and the power of ten of one of it in the
/// dimension's base (seconds, bytes, 1, per second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub dimension: Dimension,
    pub exp10: i32,
}

/// The unit a tool's unit name stands for (see the model's `unit`);
/// `None` for one gate does not know (a custom Go metric).
pub fn tool_unit(name: &str) -> Option<Unit> {
    let u = |dimension, exp10| Some(Unit { dimension, exp10 });
    match name {
        "s" => u(Dimension::Time, 0),
        "ms" => u(Dimension::Time, -3),
        "us" | "µs" => u(Dimension::Time, -6),
        "ns" => u(Dimension::Time, -9),
        "B" => u(Dimension::Bytes, 0),
        "MB/s" => u(Dimension::ByteRate, 6),
        "score" => u(Dimension::Ratio, 0),
        "" | "count" | "allocs" => u(Dimension::Number, 0),
        _ => None,
    }
}

/// The unit a user writes after a number in a bound.
fn written_unit(name: &str) -> Option<Unit> {
    let u = |dimension, exp10| Some(Unit { dimension, exp10 });
    match name {
        "s" | "sec" => u(Dimension::Time, 0),
        "ms" => u(Dimension::Time, -3),
        "us" | "µs" => u(Dimension::Time, -6),
        "ns" => u(Dimension::Time, -9),
        "%" => u(Dimension::Ratio, -2),
        "/s" | "per second" | "rps" | "ops/s" => u(Dimension::Rate, 0),
        "B" => u(Dimension::Bytes, 0),
        "kB" | "KB" => u(Dimension::Bytes, 3),
        "MB" => u(Dimension::Bytes, 6),
        "GB" => u(Dimension::Bytes, 9),
        "MB/s" => u(Dimension::ByteRate, 6),
        "" => u(Dimension::Number, 0),
        _ => None,
    }
}

/// A non-negative decimal: `0.digits × 10^magnitude`, digits without
/// leading or trailing zeros (empty for zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    digits: String,
    magnitude: i64,
}

impl Decimal {
    /// Reads `123`, `0.9`, `1e-3`, `1.5E+2`; `None` for anything else
    /// (signs included: every bound and measured value is non-negative).
    pub fn parse(text: &str) -> Option<Decimal> {
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(i) => (text.get(..i)?, text.get(i + 1..)?.parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || exp.unsigned_abs() > 10_000
        {
            return None;
        }
        let all = format!("{int}{frac}");
        let lead = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_matches('0').to_string();
        if digits.is_empty() {
            return Some(Decimal::zero());
        }
        Some(Decimal {
            magnitude: int.len() as i64 - lead as i64 + exp,
            digits,
        })
    }

    pub fn zero() -> Decimal {
        Decimal {
            digits: String::new(),
            magnitude: 0,
        }
    }

    /// The shortest decimal that reads back to `v` (Rust's float printing
    /// is shortest-round-trip): the number the tool wrote. `None` for a
    /// negative or non-finite value.
    pub fn of(v: f64) -> Option<Decimal> {
        if !v.is_finite() || v < 0.0 {
            return None;
        }
        Decimal::parse(&format!("{v:e}"))
    }

    /// `self × 10^exp`.
    pub fn scaled(&self, exp: i32) -> Decimal {
        if self.digits.is_empty() {
            return self.clone();
        }
        Decimal {
            digits: self.digits.clone(),
            magnitude: self.magnitude + i64::from(exp),
        }
    }

    pub fn to_f64(&self) -> f64 {
        if self.digits.is_empty() {
            return 0.0;
        }
        format!("0.{}e{}", self.digits, self.magnitude)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // Same magnitude: digit strings compare as the numbers do
            // (no trailing zeros, so a proper prefix is the smaller).
            _ => self
                .magnitude
                .cmp(&other.magnitude)
                .then_with(|| self.digits.cmp(&other.digits)),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A bound as written: its number, unit and the text itself.
#[derive(Debug, Clone)]
pub struct Quantity {
    pub number: Decimal,
    pub unit: Unit,
    pub unit_text: String,
    pub text: String,
}

impl Quantity {
    /// Reads `300 ms`, `300ms`, `1 %`, `200/s`, `0.9`, `1.5 MB`.
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let t = text.trim();
        let end = t
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')))
            .unwrap_or(t.len());
        // `1e` followed by a unit letter: the `e` is not an exponent.
        let (num, rest) = t.split_at(end);
        let number = Decimal::parse(num).ok_or_else(|| {
            format!("`{text}` does not start with a non-negative number (like `300 ms`, `1 %`, `200/s`, `0.9`)")
        })?;
        let unit_text = rest.trim();
        let unit = written_unit(unit_text).ok_or_else(|| {
            format!("`{text}`: unknown unit `{unit_text}` (s, ms, us, ns, %, /s, B, kB, MB, GB, MB/s, or none)")
        })?;
        Ok(Quantity {
            number,
            unit,
            unit_text: unit_text.to_string(),
            text: t.to_string(),
        })
    }

    /// This bound in `unit` (of the same dimension, or a plain number
    /// against a ratio), exactly; `None` when the dimensions differ.
    pub fn in_unit(&self, unit: Unit) -> Option<Decimal> {
        let same = self.unit.dimension == unit.dimension
            || (self.unit.dimension == Dimension::Number && unit.dimension == Dimension::Ratio);
        same.then(|| self.number.scaled(self.unit.exp10 - unit.exp10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(Decimal::zero)
    }

    #[test]
    fn decimals_compare_exactly() {
        assert_eq!(d("0.300"), d("3e-1"));
        assert!(d("0.3") > d("0.29999999999999999"));
        assert!(d("10") > d("9.99"));
        assert!(d("0") < d("0.0001"));
        assert_eq!(d("000120.500"), d("120.5"));
        assert_eq!(
            Decimal::of(0.1 + 0.2),
            Decimal::parse("0.30000000000000004")
        );
        assert_eq!(Decimal::of(0.105563), Some(d("0.105563")));
        assert!(Decimal::parse("-1").is_none() && Decimal::parse("").is_none());
    }

    #[test]
    fn bounds_convert_by_powers_of_ten() {
        let q = Quantity::parse("300 ms").unwrap_or_else(|e| unreachable!("{e}"));
        let s = tool_unit("s").unwrap_or(q.unit);
        assert_eq!(q.in_unit(s), Some(d("0.3")));
        let pct = Quantity::parse("1 %").unwrap_or_else(|e| unreachable!("{e}"));
        let ratio = Unit {
            dimension: Dimension::Ratio,
            exp10: 0,
        };
        assert_eq!(pct.in_unit(ratio), Some(d("0.01")));
        assert_eq!(pct.in_unit(s), None);
        assert!(Quantity::parse("3 parsecs").is_err());
        assert!(Quantity::parse("200/s").is_ok() && Quantity::parse("0.9").is_ok());
    }
}
