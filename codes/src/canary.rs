//! The decision of a deployment verification, worded once for the canary
//! policy's verdict and the host's analysis loop.

/// What a canary analysis says to do with the new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Shift traffic to it (outcome pass).
    Promote,
    /// Take it out (outcome fail).
    RollBack,
    /// Not enough evidence either way (outcome warn unless made blocking).
    Inconclusive,
}

impl Decision {
    /// The word the verdict and the loop's lines use.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Promote => "promote",
            Decision::RollBack => "roll back",
            Decision::Inconclusive => "inconclusive",
        }
    }
}
