//! Welch's t-test, for deciding whether a change of means is more than the
//! measurements' own noise. Written out here (a policy carries no maths
//! crate): the one-sided p-value comes from Student's t distribution via
//! the regularized incomplete beta function.

/// Mean, standard deviation and size of a sample.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub mean: f64,
    pub stddev: f64,
    pub n: u64,
}

impl Summary {
    /// From the samples themselves (sample standard deviation, n - 1);
    /// `None` with fewer than two.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        let n = samples.len();
        if n < 2 {
            return None;
        }
        let mean = samples.iter().sum::<f64>() / n as f64;
        let ss: f64 = samples.iter().map(|x| (x - mean) * (x - mean)).sum();
        Some(Summary {
            mean,
            stddev: (ss / (n - 1) as f64).sqrt(),
            n: n as u64,
        })
    }
}

/// The outcome of Welch's test that `current`'s mean is greater than
/// `baseline`'s.
#[derive(Debug, Clone, Copy)]
pub struct Welch {
    pub t: f64,
    pub df: f64,
    /// One-sided: the chance of a difference this large towards `current`
    /// being greater if the true means were equal.
    pub p: f64,
}

/// Welch's unequal-variances t-test, one-sided (H1: current > baseline).
/// `None` when either sample has fewer than two values.
pub fn welch(current: Summary, baseline: Summary) -> Option<Welch> {
    if current.n < 2 || baseline.n < 2 {
        return None;
    }
    let (nc, nb) = (current.n as f64, baseline.n as f64);
    let (vc, vb) = (
        current.stddev * current.stddev / nc,
        baseline.stddev * baseline.stddev / nb,
    );
    let diff = current.mean - baseline.mean;
    let se2 = vc + vb;
    if se2 <= 0.0 {
        // No spread at all: any difference is certain, none is none.
        let p = if diff > 0.0 { 0.0 } else { 1.0 };
        return Some(Welch {
            t: if diff > 0.0 { f64::INFINITY } else { 0.0 },
            df: nc + nb - 2.0,
            p,
        });
    }
    let t = diff / se2.sqrt();
    let df = se2 * se2 / (vc * vc / (nc - 1.0) + vb * vb / (nb - 1.0));
    Some(Welch {
        t,
        df,
        p: upper_tail(t, df),
    })
}

/// P(T > t) for Student's t with `df` degrees of freedom.
pub fn upper_tail(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let half = 0.5 * incomplete_beta(x, df / 2.0, 0.5);
    if t > 0.0 { half } else { 1.0 - half }
}

/// The regularized incomplete beta function I_x(a, b), by its continued
/// fraction (modified Lentz), using the symmetry for fast convergence.
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * continued_fraction(x, a, b) / a
    } else {
        1.0 - front * continued_fraction(1.0 - x, b, a) / b
    }
}

fn continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let fix = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / fix(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 / fix(1.0 + num * d);
        c = fix(1.0 + num / c);
        h *= d * c;
        let num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 / fix(1.0 + num * d);
        c = fix(1.0 + num / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: ~15 digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        sum += g / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_tails_match_the_tables() {
        // Student's t tables: t(0.95, 10) = 1.812, t(0.975, 5) = 2.571.
        assert!((upper_tail(1.812, 10.0) - 0.05).abs() < 5e-4);
        assert!((upper_tail(2.571, 5.0) - 0.025).abs() < 5e-4);
        assert!((upper_tail(0.0, 7.0) - 0.5).abs() < 1e-12);
        assert!((upper_tail(-1.812, 10.0) - 0.95).abs() < 5e-4);
        // A large df is the normal: P(Z > 1.645) = 0.05.
        assert!((upper_tail(1.645, 1e6) - 0.05).abs() < 5e-4);
    }

    #[test]
    fn welch_by_hand() {
        // mean 110 sd 10 n 10 vs mean 100 sd 10 n 10: se = sqrt(20) = 4.472,
        // t = 2.236, df = 18, one-sided p = 0.019.
        let w = welch(
            Summary {
                mean: 110.0,
                stddev: 10.0,
                n: 10,
            },
            Summary {
                mean: 100.0,
                stddev: 10.0,
                n: 10,
            },
        )
        .unwrap();
        assert!((w.t - 2.2361).abs() < 1e-3 && (w.df - 18.0).abs() < 1e-9);
        assert!((w.p - 0.0191).abs() < 5e-4, "{}", w.p);
    }
}
