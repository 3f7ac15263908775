//! A small client for the OCI distribution API: manifests, blobs,
//! uploads, referrers. Credentials come from Docker's config and its
//! credential helpers ([`crate::auth`]), looked up at the first 401 only,
//! and answer the registry's challenge: HTTP basic, or a bearer token from
//! the realm it names (an identity token is exchanged there as an OAuth2
//! refresh token). Plain HTTP is used only for loopback
//! registries or with `insecure`; everything else is HTTPS (rustls, Mozilla
//! roots).

use crate::auth::{self, Credentials, Lookup};
use crate::error::{ErrorKind, RegistryError, Result};
use crate::manifest::{self, Descriptor, Index};
use crate::observe::{Counting, Observer};
use crate::reference::Reference;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::cell::{OnceCell, RefCell};
use std::io::Read;
use std::time::Duration;
use ureq::Body;
use ureq::http::{Method, Request, Response};

const ACCEPT_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

pub(crate) struct Client<'a> {
    agent: ureq::Agent,
    base: String,
    /// An https registry: every URL it hands out (token realm, upload
    /// location, redirects) must be https too, or credentials and content
    /// would cross the network in clear.
    https_only: bool,
    registry: String,
    push: bool,
    /// What the docker config says about the registry, once a 401 asked.
    lookup: OnceCell<Result<Lookup>>,
    /// The `Authorization` header value once a challenge was answered.
    auth: RefCell<Option<String>>,
    /// Told about each blob transfer.
    obs: &'a dyn Observer,
}

impl<'a> Client<'a> {
    /// A client for the registry of `r`; `push` asks for push scope.
    pub(crate) fn new(
        r: &Reference,
        insecure: bool,
        push: bool,
        obs: &'a dyn Observer,
    ) -> Result<Client<'a>> {
        let scheme = if r.is_loopback() || insecure {
            "http"
        } else {
            "https"
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(scheme == "https")
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(600)))
            .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client {
            agent: ureq::Agent::new_with_config(config),
            base: format!("{scheme}://{}", r.registry),
            https_only: scheme == "https",
            registry: r.registry.clone(),
            push,
            lookup: OnceCell::new(),
            auth: RefCell::new(None),
            obs,
        })
    }

    fn send_once(
        &self,
        method: &Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Response<Body>> {
        let mut b = Request::builder().method(method.clone()).uri(url);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        if let Some(a) = self.auth.borrow().as_ref() {
            b = b.header("authorization", a.as_str());
        }
        let bad = |e: ureq::http::Error| RegistryError::new(format!("invalid request {url}: {e}"));
        let result = match body {
            Some(bytes) => self.agent.run(b.body(bytes).map_err(bad)?),
            None => self.agent.run(b.body(()).map_err(bad)?),
        };
        result.map_err(|e| self.network_error(e))
    }

    fn network_error(&self, e: ureq::Error) -> RegistryError {
        use std::io::ErrorKind as Io;
        let msg = gate_fsutil::plain(&e.to_string());
        let unreachable = match &e {
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Timeout(_) => {
                true
            }
            ureq::Error::Io(io) => matches!(
                io.kind(),
                Io::ConnectionRefused
                    | Io::ConnectionReset
                    | Io::ConnectionAborted
                    | Io::NotConnected
                    | Io::TimedOut
                    | Io::HostUnreachable
                    | Io::NetworkUnreachable
            ),
            _ => false,
        };
        if unreachable {
            return RegistryError::of(
                ErrorKind::Unreachable,
                format!(
                    "registry {}: {msg} (is the registry running and reachable?)",
                    self.registry
                ),
            );
        }
        // TLS failures (a wrong certificate may be an interception),
        // protocol errors and https-only refusals are not "unreachable".
        RegistryError::new(format!("registry {}: {msg}", self.registry))
    }

    /// Refuses a plain-HTTP URL that an https registry handed out.
    fn check_url(&self, url: &str, what: &str) -> Result<()> {
        if self.https_only && !url.to_ascii_lowercase().starts_with("https://") {
            return Err(RegistryError::new(format!(
                "registry {}: refusing the plain-http {what} {url} of an https registry (pass --insecure to allow)",
                self.registry
            )));
        }
        Ok(())
    }

    /// Sends a request, answering one auth challenge.
    fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        repo: &str,
    ) -> Result<Response<Body>> {
        let resp = self.send_once(&method, url, headers, body)?;
        if resp.status().as_u16() != 401 {
            return Ok(resp);
        }
        let challenge = resp
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        self.authenticate(&challenge, repo)?;
        let resp = self.send_once(&method, url, headers, body)?;
        if resp.status().as_u16() == 401 {
            let sent = matches!(self.lookup.get(), Some(Ok(l)) if l.credentials.is_some());
            return Err(self.unauthorized(if sent {
                "the credentials were rejected"
            } else {
                "anonymous access was refused"
            }));
        }
        Ok(resp)
    }

    /// A 401 error, with where the credentials came from or how to get some.
    fn unauthorized(&self, why: &str) -> RegistryError {
        let hint = match self.lookup.get() {
            Some(Ok(l)) => l.hint(&self.registry),
            _ => String::new(),
        };
        RegistryError::of(
            ErrorKind::Unauthorized,
            format!("registry {}: 401 unauthorized: {why}{hint}", self.registry),
        )
    }

    /// The docker config's answer for this registry: read (and a helper
    /// run) at the first 401 only, so anonymous registries never spawn
    /// helpers; kept, failures included, for the life of the client.
    fn lookup(&self) -> Result<&Lookup> {
        self.lookup
            .get_or_init(|| auth::lookup(&self.registry))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn authenticate(&self, challenge: &str, repo: &str) -> Result<()> {
        let (scheme, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => {
                let header = match &self.lookup()?.credentials {
                    Some(c) => c.basic_header().ok_or_else(|| {
                        self.unauthorized(
                            "the registry wants basic auth, but the only credentials are an identity token, which needs a bearer token service",
                        )
                    })?,
                    None => return Err(self.unauthorized("the registry wants basic auth")),
                };
                *self.auth.borrow_mut() = Some(header);
                Ok(())
            }
            "bearer" => {
                let credentials = self.lookup()?.credentials.as_ref();
                let params = parse_challenge(params);
                let get = |k: &str| {
                    params
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v.clone())
                };
                let realm = get("realm").ok_or_else(|| {
                    RegistryError::new(format!(
                        "registry {}: bearer challenge without a realm",
                        self.registry
                    ))
                })?;
                self.check_url(&realm, "token realm")?;
                let scope = get("scope").unwrap_or_else(|| {
                    format!(
                        "repository:{repo}:{}",
                        if self.push { "pull,push" } else { "pull" }
                    )
                });
                let service = get("service");
                let bad = |e: ureq::http::Error| {
                    RegistryError::new(format!("invalid token request {realm}: {e}"))
                };
                let refresh = matches!(credentials, Some(Credentials::IdentityToken(_)));
                let sent = match credentials {
                    // Docker's OAuth2 flow: the refresh token is POSTed to
                    // the realm for an access token.
                    Some(Credentials::IdentityToken(token)) => {
                        let mut form = format!(
                            "grant_type=refresh_token&client_id=gate&scope={}&refresh_token={}",
                            pct(&scope),
                            pct(token)
                        );
                        if let Some(s) = &service {
                            form.push_str(&format!("&service={}", pct(s)));
                        }
                        let req = Request::builder()
                            .method(Method::POST)
                            .uri(&realm)
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(form.into_bytes())
                            .map_err(bad)?;
                        self.agent.run(req)
                    }
                    basic => {
                        let mut url = format!("{realm}?scope={}", pct(&scope));
                        if let Some(s) = &service {
                            url.push_str(&format!("&service={}", pct(s)));
                        }
                        let mut b = Request::builder().method(Method::GET).uri(&url);
                        if let Some(h) = basic.and_then(Credentials::basic_header) {
                            b = b.header("authorization", h);
                        }
                        self.agent.run(b.body(()).map_err(bad)?)
                    }
                };
                let mut resp = sent.map_err(|e| self.network_error(e))?;
                if resp.status().is_server_error() {
                    return Err(RegistryError::new(format!(
                        "registry {}: the token service {realm} answered {}",
                        self.registry,
                        resp.status().as_u16()
                    )));
                }
                if !resp.status().is_success() {
                    return Err(self.unauthorized(&format!(
                        "the token service answered {}{}",
                        resp.status().as_u16(),
                        if refresh {
                            " to the identity token"
                        } else {
                            ""
                        }
                    )));
                }
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(1 << 20)
                    .read_to_vec()
                    .map_err(|e| self.network_error(e))?;
                let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
                    RegistryError::new(format!(
                        "registry {}: bad token response: {e}",
                        self.registry
                    ))
                })?;
                // OAuth2 answers `access_token`, the docker token flow `token`.
                let keys = if refresh {
                    ["access_token", "token"]
                } else {
                    ["token", "access_token"]
                };
                let token = keys
                    .iter()
                    .find_map(|k| v.get(*k).and_then(|t| t.as_str()).filter(|t| !t.is_empty()))
                    .ok_or_else(|| {
                        RegistryError::new(format!(
                            "registry {}: the token response has no token",
                            self.registry
                        ))
                    })?;
                *self.auth.borrow_mut() = Some(format!("Bearer {token}"));
                Ok(())
            }
            _ => Err(self.unauthorized(&format!("unsupported auth challenge `{challenge}`"))),
        }
    }

    /// An error for an unexpected status, with the registry's error codes.
    fn status_error(&self, what: &str, mut resp: Response<Body>) -> RegistryError {
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(64 << 10)
            .read_to_vec()
            .unwrap_or_default();
        let detail = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                let errs = v.get("errors")?.as_array()?;
                Some(
                    errs.iter()
                        .map(|e| {
                            format!(
                                "{}: {}",
                                e.get("code").and_then(|c| c.as_str()).unwrap_or("error"),
                                e.get("message").and_then(|c| c.as_str()).unwrap_or("")
                            )
                            .to_lowercase()
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let what_status = match status {
            404 => "not found".to_string(),
            _ => format!("http {status}"),
        };
        let kind = match status {
            404 => ErrorKind::NotFound,
            401 | 403 => ErrorKind::Unauthorized,
            _ => ErrorKind::Registry,
        };
        RegistryError::of(kind, format!("{what}: {what_status}{detail}"))
    }

    /// A manifest by tag or digest: its bytes and (verified) digest.
    pub(crate) fn get_manifest(&self, repo: &str, reference: &str) -> Result<(Vec<u8>, String)> {
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base);
        let what = crate::reference::named(&self.registry, repo, reference);
        let mut resp = self.send(
            Method::GET,
            &url,
            &[("accept", ACCEPT_MANIFEST)],
            None,
            repo,
        )?;
        if resp.status().as_u16() != 200 {
            return Err(self.status_error(&what, resp));
        }
        let header_digest = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(manifest::MAX_MANIFEST)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(n) => RegistryError::of(
                    ErrorKind::NotAPack,
                    format!("{what}: the manifest is larger than {n} bytes"),
                ),
                e => RegistryError::of(
                    ErrorKind::Truncated,
                    format!(
                        "{what}: reading the manifest failed: {}",
                        gate_fsutil::plain(&e.to_string())
                    ),
                ),
            })?;
        let digest = manifest::digest_of(&bytes);
        if reference.starts_with("sha256:") && reference != digest {
            return Err(RegistryError::of(
                ErrorKind::DigestMismatch,
                format!(
                    "{what}: manifest digest mismatch: asked for {reference}, the content is {digest}"
                ),
            ));
        }
        if let Some(h) = header_digest
            && h.starts_with("sha256:")
            && h != digest
        {
            return Err(RegistryError::of(
                ErrorKind::DigestMismatch,
                format!(
                    "{what}: manifest digest mismatch: the registry says {h}, the content is {digest}"
                ),
            ));
        }
        Ok((bytes, digest))
    }

    /// A blob, verified against its descriptor (size and digest).
    pub(crate) fn get_blob(&self, repo: &str, desc: &Descriptor) -> Result<Vec<u8>> {
        manifest::check_digest(&desc.digest)?;
        let url = format!("{}/v2/{repo}/blobs/{}", self.base, desc.digest);
        let what = crate::reference::named(&self.registry, repo, &desc.digest);
        let mut resp = self.send(Method::GET, &url, &[], None, repo)?;
        if resp.status().as_u16() != 200 {
            return Err(self.status_error(&what, resp));
        }
        let mut bar = self
            .obs
            .transfer(&format!("  pulling {}", short(&desc.digest)), desc.size);
        let mut bytes = Vec::with_capacity(usize::try_from(desc.size.min(16 << 20)).unwrap_or(0));
        Counting {
            inner: resp
                .body_mut()
                .with_config()
                .limit(desc.size.saturating_add(1).min(manifest::MAX_BLOB + 1))
                .reader(),
            transfer: bar.as_mut(),
        }
        .read_to_end(&mut bytes)
        .map_err(|e| {
            let m = gate_fsutil::plain(&e.to_string());
            // ureq's body reader carries its own error inside the io::Error.
            let over_limit = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                .is_some_and(|u| matches!(u, ureq::Error::BodyExceedsLimit(_)));
            if over_limit {
                RegistryError::of(
                    ErrorKind::DigestMismatch,
                    format!(
                        "{what}: the blob is larger than its descriptor says ({} bytes)",
                        desc.size
                    ),
                )
            } else {
                RegistryError::of(
                    ErrorKind::Truncated,
                    format!("{what}: truncated download: {m}"),
                )
            }
        })?;
        bar.finish();
        manifest::verify_blob(desc, &bytes).map_err(|e| e.context(&what))?;
        Ok(bytes)
    }

    fn blob_exists(&self, repo: &str, digest: &str) -> Result<bool> {
        let url = format!("{}/v2/{repo}/blobs/{digest}", self.base);
        let resp = self.send(Method::HEAD, &url, &[], None, repo)?;
        Ok(resp.status().as_u16() == 200)
    }

    /// Uploads a blob (monolithic) unless the registry has it.
    pub(crate) fn push_blob(&self, repo: &str, bytes: &[u8]) -> Result<String> {
        let digest = manifest::digest_of(bytes);
        if self.blob_exists(repo, &digest)? {
            return Ok(digest);
        }
        let url = format!("{}/v2/{repo}/blobs/uploads/", self.base);
        let what = format!("{}/{repo}: upload of {digest}", self.registry);
        let resp = self.send(Method::POST, &url, &[], Some(&[]), repo)?;
        if resp.status().as_u16() != 202 {
            return Err(self.status_error(&what, resp));
        }
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| RegistryError::new(format!("{what}: no upload location")))?;
        let location = if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            location.to_string()
        };
        self.check_url(&location, "upload location")?;
        let sep = if location.contains('?') { '&' } else { '?' };
        let put = format!("{location}{sep}digest={}", pct(&digest));
        let resp = self.upload(&put, bytes, &digest)?;
        if resp.status().as_u16() != 201 {
            return Err(self.status_error(&what, resp));
        }
        Ok(digest)
    }

    /// The monolithic PUT of a blob, read through a progress bar. Auth was
    /// settled by the POST that opened the upload, so there is no retry.
    fn upload(&self, url: &str, bytes: &[u8], digest: &str) -> Result<Response<Body>> {
        let mut b = Request::builder()
            .method(Method::PUT)
            .uri(url)
            .header("content-type", "application/octet-stream")
            .header("content-length", bytes.len().to_string());
        if let Some(a) = self.auth.borrow().as_ref() {
            b = b.header("authorization", a.as_str());
        }
        let mut bar = self
            .obs
            .transfer(&format!("  pushing {}", short(digest)), bytes.len() as u64);
        let mut reader = Counting {
            inner: bytes,
            transfer: bar.as_mut(),
        };
        let req = b
            .body(ureq::SendBody::from_reader(&mut reader))
            .map_err(|e| RegistryError::new(format!("invalid request {url}: {e}")))?;
        let resp = self.agent.run(req).map_err(|e| self.network_error(e))?;
        bar.finish();
        Ok(resp)
    }

    /// Uploads a manifest under a tag or its digest.
    pub(crate) fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<()> {
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base);
        let what = crate::reference::named(&self.registry, repo, reference);
        let resp = self.send(
            Method::PUT,
            &url,
            &[("content-type", media_type)],
            Some(bytes),
            repo,
        )?;
        if resp.status().as_u16() != 201 {
            return Err(self.status_error(&what, resp));
        }
        Ok(())
    }

    /// The referrers of a manifest, or `None` when the registry has no
    /// referrers API.
    pub(crate) fn referrers(&self, repo: &str, digest: &str) -> Result<Option<Index>> {
        let url = format!("{}/v2/{repo}/referrers/{digest}", self.base);
        let mut resp = self.send(
            Method::GET,
            &url,
            &[("accept", manifest::INDEX)],
            None,
            repo,
        )?;
        if resp.status().as_u16() != 200 {
            return Ok(None);
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(manifest::MAX_MANIFEST)
            .read_to_vec()
            .map_err(|e| self.network_error(e))?;
        Ok(serde_json::from_slice::<Index>(&body).ok())
    }

    /// Whether a manifest exists (HEAD), by tag or digest.
    pub(crate) fn has_manifest(&self, repo: &str, reference: &str) -> Result<bool> {
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base);
        let resp = self.send(
            Method::HEAD,
            &url,
            &[("accept", ACCEPT_MANIFEST)],
            None,
            repo,
        )?;
        Ok(resp.status().as_u16() == 200)
    }
}

/// `key="value", key2=value2` pairs of an auth challenge.
fn parse_challenge(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim().trim_start_matches(',').trim().to_string();
        let after = after.trim_start();
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (q.get(..end).unwrap_or(""), q.get(end + 1..).unwrap_or("")),
                None => (q, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (
                    after.get(..end).unwrap_or(""),
                    after.get(end..).unwrap_or(""),
                ),
                None => (after, ""),
            }
        };
        out.push((key, value.to_string()));
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

/// `sha256:` and the first 12 hex digits, for progress labels.
fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// What a query value keeps unencoded: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query value.
fn pct(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_registries_refuse_plain_http_urls() {
        let https = Client::new(
            &Reference::parse("oci://registry.example/a/b:1").unwrap(),
            false,
            false,
            &crate::Silent,
        )
        .unwrap();
        let e = https
            .check_url("http://auth.example/token", "token realm")
            .unwrap_err();
        assert!(
            e.message.contains("refusing the plain-http token realm"),
            "{e}"
        );
        assert!(
            https
                .check_url("https://auth.example/token", "token realm")
                .is_ok()
        );
        assert!(
            https
                .check_url("HTTPS://auth.example/token", "token realm")
                .is_ok()
        );
        // Loopback and --insecure registries are plain HTTP themselves.
        for (r, insecure) in [
            ("oci://127.0.0.1:5000/a/b", false),
            ("oci://registry.example/a/b", true),
        ] {
            let c = Client::new(
                &Reference::parse(r).unwrap(),
                insecure,
                false,
                &crate::Silent,
            )
            .unwrap();
            assert!(
                c.check_url("http://auth.example/token", "token realm")
                    .is_ok()
            );
        }
    }

    #[test]
    fn parses_bearer_challenges() {
        let p = parse_challenge(
            r#"realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(
            p,
            vec![
                ("realm".into(), "https://auth.example/token".into()),
                ("service".into(), "registry.example".into()),
                ("scope".into(), "repository:a/b:pull,push".into()),
            ]
        );
        assert_eq!(pct("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
        assert_eq!(pct("a-b_c.d~e f+é"), "a-b_c.d~e%20f%2B%C3%A9");
    }
}
