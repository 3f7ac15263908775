//! `oci://HOST[:PORT]/REPOSITORY[:TAG][@sha256:HEX][#POLICY]`

use crate::error::{RegistryError, Result};
use std::fmt;

/// A parsed pack reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`
    pub registry: String,
    /// e.g. `ns/pack`
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<64 hex>`
    pub digest: Option<String>,
    /// The policy inside the pack (`#name`).
    pub policy: Option<String>,
}

impl Reference {
    pub fn parse(s: &str) -> Result<Reference> {
        let bad = |why: &str| RegistryError::new(format!("`{s}` is not a pack reference: {why}"));
        let rest = s.strip_prefix("oci://").unwrap_or(s);
        let (rest, policy) = match rest.split_once('#') {
            Some((r, p)) if !p.is_empty() => (r, Some(p.to_string())),
            Some(_) => return Err(bad("empty policy name after `#`")),
            None => (rest, None),
        };
        let (rest, digest) = match rest.split_once('@') {
            Some((r, d)) => {
                crate::manifest::check_digest(d).map_err(|e| bad(&e.message))?;
                (r, Some(d.to_string()))
            }
            None => (rest, None),
        };
        let (registry, path) = rest
            .split_once('/')
            .ok_or_else(|| bad("expected HOST/REPOSITORY[:TAG]"))?;
        if !valid_registry(registry) {
            return Err(bad(
                "invalid registry: expected HOST[:PORT] (a DNS name, an IPv4 address or [IPv6])",
            ));
        }
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repo, tag)) => (repo, Some(tag.to_string())),
            None => (path, None),
        };
        // OCI distribution: components of lowercase letters and digits,
        // joined by `.`, `_` or `-` inside a component and `/` between them.
        let component_ok = |c: &str| {
            c.starts_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
                && c.ends_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
                && c.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch))
        };
        if !repository.split('/').all(component_ok) {
            return Err(bad(
                "the repository must be lowercase letters, digits, `.`, `_`, `-` and `/`",
            ));
        }
        if let Some(t) = &tag
            && (t.is_empty()
                || t.len() > 128
                || t.starts_with(['.', '-'])
                || !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)))
        {
            return Err(bad("invalid tag"));
        }
        Ok(Reference {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag,
            digest,
            policy,
        })
    }

    /// The tag, `latest` when neither a tag nor a digest is given.
    pub fn tag_or_latest(&self) -> String {
        self.tag.clone().unwrap_or_else(|| "latest".into())
    }

    /// The same reference without the `#policy` part.
    pub fn without_policy(&self) -> String {
        Reference {
            policy: None,
            ..self.clone()
        }
        .to_string()
    }

    /// The key under which `gate.lock` records this reference: the pack
    /// as written (tag and/or digest), without the policy.
    pub fn lock_key(&self) -> String {
        self.without_policy()
    }

    /// The host without the port.
    pub fn host(&self) -> &str {
        if let Some(rest) = self.registry.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        self.registry
            .rsplit_once(':')
            .map_or(self.registry.as_str(), |(h, _)| h)
    }

    /// Whether the registry is on this machine (plain HTTP is allowed).
    pub fn is_loopback(&self) -> bool {
        let host = self.host();
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// `HOST[:PORT]`: a DNS name or IPv4 address, or `[IPv6]`, and a port
/// from 1 to 65535.
fn valid_registry(r: &str) -> bool {
    let (host_ok, port) = match r.strip_prefix('[') {
        Some(rest) => {
            let Some((ip, after)) = rest.split_once(']') else {
                return false;
            };
            let port = match after {
                "" => None,
                a => match a.strip_prefix(':') {
                    Some(p) => Some(p),
                    None => return false,
                },
            };
            (ip.parse::<std::net::Ipv6Addr>().is_ok(), port)
        }
        None => match r.split_once(':') {
            Some((h, p)) => (valid_host(h), Some(p)),
            None => (valid_host(r), None),
        },
    };
    host_ok
        && port.is_none_or(|p| {
            p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n > 0)
        })
}

/// DNS labels (letters, digits, inner `-`), which covers IPv4 addresses.
fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// `registry/repo:tag` or, for a digest, `registry/repo@sha256:…`: how a
/// manifest asked for by tag or digest is named in messages.
pub(crate) fn named(registry: &str, repo: &str, tag_or_digest: &str) -> String {
    let sep = if tag_or_digest.starts_with("sha256:") {
        '@'
    } else {
        ':'
    };
    format!("{registry}/{repo}{sep}{tag_or_digest}")
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        if let Some(p) = &self.policy {
            write!(f, "#{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("oci://127.0.0.1:5000/ns/pack:v1@{d}#cov")).unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "ns/pack");
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert_eq!(r.digest.as_deref(), Some(d.as_str()));
        assert_eq!(r.policy.as_deref(), Some("cov"));
        assert!(r.is_loopback());
        assert_eq!(
            r.without_policy(),
            format!("oci://127.0.0.1:5000/ns/pack:v1@{d}")
        );
        let r = Reference::parse("oci://ghcr.io/acme/gates").unwrap();
        assert_eq!(r.tag_or_latest(), "latest");
        assert!(!r.is_loopback());
        assert!(
            Reference::parse("oci://[::1]:5000/a/b:c")
                .unwrap()
                .is_loopback()
        );
        assert!(Reference::parse("oci://localhost/a/B").is_err());
        assert!(Reference::parse("oci://host/a:b@sha256:12").is_err());
        assert!(Reference::parse("oci://host").is_err());
        for bad in [
            "oci://",
            "oci://host/a#",
            "oci://host/Acme/gates",
            "oci://[::1/x:y",
            "oci://[::1]x/a",
            "oci://[nope]:5000/a",
            "oci://host:/a",
            "oci://host:99999/a",
            "oci://host:0/a",
            "oci://-host/a",
            "oci://ho_st/a",
            "oci://host/a//b",
            "oci://host/-a",
            "oci://host/a-",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
        for good in ["oci://[::1]/a", "oci://h-1.example:443/a_b/c.d-e:v1"] {
            assert!(Reference::parse(good).is_ok(), "{good}");
        }
    }
}
