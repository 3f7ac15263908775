//! Metrics: the result of one Prometheus query (`/api/v1/query` or
//! `/api/v1/query_range`), as labelled series of timestamped samples.
//!
//! Values are kept as the server computed them, `NaN` and `±Inf` included
//! (a ratio of two empty rates is `NaN`: that is data a policy judges, not
//! a malformed file). A scalar is one series without labels and one
//! sample; a string result keeps its text and has no series.

use serde::{Deserialize, Serialize};

/// The shape of a query's result, as Prometheus names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ResultType {
    /// An instant query: one sample per series.
    #[default]
    Vector,
    /// A range query: samples at every step per series.
    Matrix,
    Scalar,
    String,
}

impl ResultType {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultType::Vector => "vector",
            ResultType::Matrix => "matrix",
            ResultType::Scalar => "scalar",
            ResultType::String => "string",
        }
    }
}

/// Which deployment a series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Canary,
    Baseline,
}

/// One query's result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetricsReport {
    /// The query's name: the `[[metrics]]` entry's `name`, or the
    /// artifact's file name before `.query`/`.json`
    /// (`error-rate.query_range.json` → `error-rate`).
    pub name: String,
    /// The PromQL, when known (a fetched query; a response body does not
    /// carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    pub result_type: ResultType,
    /// In the server's order (which is not stable between queries).
    #[serde(default)]
    pub series: Vec<Series>,
    /// The text of a `string` result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
    /// The side every series measures, when the host fetched the query for
    /// one side (with that side's selector); absent for a response read
    /// from a file, whose series may be of either side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// The server's `warnings` (a partial answer: remote read failed, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub server_warnings: Vec<String>,
}

/// One labelled series.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Series {
    /// Label name and value pairs, sorted by name (`__name__` included
    /// when the server returned it); a JSON object in `gate parse --json`.
    #[serde(with = "label_map")]
    pub labels: Vec<(String, String)>,
    /// Sorted by time as the server returns them.
    pub samples: Vec<Sample>,
}

impl Series {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One sample: Unix time in seconds (fractions allowed) and its value.
/// Two samples are equal when their times are and their values are, a
/// `NaN` equal to a `NaN` (the same answer read twice is the same).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Sample {
    pub time: f64,
    /// `NaN`, `+Inf` and `-Inf` are written as those strings in
    /// `gate parse --json` (JSON has no such numbers), others as numbers.
    #[serde(with = "special_float")]
    pub value: f64,
}

impl PartialEq for Sample {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time
            && (self.value == other.value || (self.value.is_nan() && other.value.is_nan()))
    }
}

/// Labels as a JSON object, in their (sorted) order.
mod label_map {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(v.len()))?;
        for (k, val) in v {
            m.serialize_entry(k, val)?;
        }
        m.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of label values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(e) = map.next_entry()? {
                    out.push(e);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// A float that may be `NaN` or infinite, as JSON: a number when finite,
/// else the string Prometheus writes (`"NaN"`, `"+Inf"`, `"-Inf"`).
mod special_float {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v.is_infinite() {
            s.serialize_str(if *v > 0.0 { "+Inf" } else { "-Inf" })
        } else {
            s.serialize_f64(*v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(f64),
            Text(String),
        }
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(n),
            Either::Text(t) if t == "NaN" => Ok(f64::NAN),
            Either::Text(t) if t == "+Inf" => Ok(f64::INFINITY),
            Either::Text(t) if t == "-Inf" => Ok(f64::NEG_INFINITY),
            Either::Text(other) => Err(D::Error::custom(format!("`{other}` is not a number"))),
        }
    }
}
