//! Registry credentials the way Docker users already have them: Docker's
//! `config.json` (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`) and its credential helpers.
//!
//! Precedence for a registry host:
//! 1. `credHelpers: {"HOST": "NAME"}`: `docker-credential-NAME get`.
//! 2. `auths: {"HOST": {...}}`: `identitytoken` (an OAuth2 refresh token),
//!    `auth` (base64 `user:password`) or `username`/`password`. Keys may be
//!    `host`, `host:port`, `https://host/v2/`, `http://host`...
//! 3. `credsStore: "NAME"`: `docker-credential-NAME get`.
//!
//! A helper gets the server address on stdin (the registry host as the
//! reference writes it; `https://index.docker.io/v1/` for Docker Hub) and
//! prints `{"ServerURL", "Username", "Secret"}`; `Username == "<token>"`
//! makes the secret an identity token. A helper that answers `credentials
//! not found` means anonymous access. Nothing here ever puts a secret in a
//! message.

use crate::error::{ErrorKind, RegistryError, Result};
use base64::Engine as _;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a credential helper may take before it is killed: long enough
/// for a keychain prompt or a cloud token exchange, short enough for CI.
pub(crate) const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// Docker Hub's server address in configs and for helpers.
const HUB_SERVER: &str = "https://index.docker.io/v1/";

/// The username a helper returns when its secret is an identity token.
const TOKEN_USERNAME: &str = "<token>";

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Credentials {
    /// A username and a password (or personal access token).
    Basic { username: String, secret: String },
    /// An OAuth2 refresh token, exchanged at the token realm.
    IdentityToken(String),
}

impl Credentials {
    /// The `Authorization` header value for HTTP basic, if these are basic.
    pub(crate) fn basic_header(&self) -> Option<String> {
        match self {
            Credentials::Basic { username, secret } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{secret}"))
            )),
            Credentials::IdentityToken(_) => None,
        }
    }
}

// Secrets must never reach logs or error messages, not even via `{:?}`.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("secret", &"<redacted>")
                .finish(),
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// Which part of the docker config named a helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    CredHelpers,
    CredsStore,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::CredHelpers => "credHelpers",
            Role::CredsStore => "credsStore",
        })
    }
}

/// What the docker config says about a registry.
#[derive(Debug)]
pub(crate) struct Lookup {
    /// The config file consulted (`None`: neither DOCKER_CONFIG nor HOME).
    pub(crate) config: Option<PathBuf>,
    /// The helper asked (`docker-credential-NAME`) and why, if one was.
    pub(crate) helper: Option<(String, Role)>,
    /// `None`: anonymous.
    pub(crate) credentials: Option<Credentials>,
}

impl Lookup {
    fn config_display(&self) -> String {
        self.config.as_ref().map_or_else(
            || "the docker config".to_string(),
            |p| p.display().to_string(),
        )
    }

    /// A parenthesized note for a 401: where the credentials came from, or
    /// how to get some.
    pub(crate) fn hint(&self, registry: &str) -> String {
        let config = self.config_display();
        match (&self.credentials, &self.helper) {
            (None, None) => format!(
                " (no credentials for {registry} in {config}; `docker login` or set DOCKER_CONFIG)"
            ),
            (None, Some((bin, role))) => format!(
                " (no credentials for {registry} in {config}: {bin} ({role}) has none; `docker login` or set DOCKER_CONFIG)"
            ),
            (Some(_), Some((bin, role))) => format!(
                " (credentials from {bin}, the {role} helper in {config}; `docker login` again or check the helper)"
            ),
            (Some(_), None) => format!(
                " (credentials from the auths entry for {registry} in {config}; `docker login` again to refresh them)"
            ),
        }
    }
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub(crate) fn config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        Some(d) => Some(PathBuf::from(d).join("config.json")),
        None => std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".docker/config.json")),
    }
}

/// The credentials for a registry host (`host[:port]` as in the
/// reference), running a credential helper when the config names one.
pub(crate) fn lookup(registry: &str) -> Result<Lookup> {
    let config = config_path();
    let mut found = Lookup {
        config: config.clone(),
        helper: None,
        credentials: None,
    };
    let Some(path) = config else {
        return Ok(found);
    };
    let text = match gate_fsutil::read(&path) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Ok(found),
        Err(e) => {
            return Err(RegistryError::of(
                ErrorKind::Credentials,
                format!("docker config {}: {e}", path.display()),
            ));
        }
    };
    let file = ConfigFile::parse(&text, &path)?;
    match file.plan(registry, &path)? {
        Plan::Anonymous => {}
        Plan::Inline(c) => found.credentials = Some(c),
        Plan::Helper { name, role } => {
            let bin = format!("docker-credential-{name}");
            let helper = Helper {
                bin: &bin,
                role,
                server: &server_address(registry),
                config: &path,
            };
            found.credentials = helper.get(HELPER_TIMEOUT)?;
            found.helper = Some((bin, role));
        }
    }
    Ok(found)
}

/// What the config says to do for one registry.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Anonymous,
    Inline(Credentials),
    Helper { name: String, role: Role },
}

/// The parts of Docker's `config.json` that carry credentials.
#[derive(Default, Deserialize)]
#[serde(default)]
struct ConfigFile {
    auths: Option<BTreeMap<String, AuthEntry>>,
    #[serde(rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(rename = "credHelpers")]
    cred_helpers: Option<BTreeMap<String, String>>,
}

/// One `auths` entry. No `Debug`: it holds secrets.
#[derive(Default, Deserialize)]
#[serde(default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

impl ConfigFile {
    fn parse(text: &[u8], path: &Path) -> Result<ConfigFile> {
        // serde_json quotes offending values, which may be secrets: report
        // only where the problem is.
        serde_json::from_slice(text).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Data => "unexpected value",
                _ => "invalid json",
            };
            RegistryError::of(
                ErrorKind::Credentials,
                format!(
                    "cannot read docker config {}: {what} at line {} column {}",
                    path.display(),
                    e.line(),
                    e.column()
                ),
            )
        })
    }

    fn plan(&self, registry: &str, path: &Path) -> Result<Plan> {
        // credHelpers is authoritative for its registry, as in Docker: a
        // helper without credentials means anonymous, not a fallback.
        if let Some(helpers) = &self.cred_helpers
            && let Some(name) = best_match(helpers, registry, |n| !n.trim().is_empty())
        {
            return Ok(Plan::Helper {
                name: helper_name(name, Role::CredHelpers, path)?,
                role: Role::CredHelpers,
            });
        }
        if let Some(auths) = &self.auths {
            let usable = |e: &AuthEntry| {
                [&e.identitytoken, &e.auth, &e.username]
                    .iter()
                    .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()))
            };
            if let Some((key, entry)) = best_entry(auths, registry, usable) {
                return entry.credentials(key, path).map(Plan::Inline);
            }
        }
        match self.creds_store.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(name) => Ok(Plan::Helper {
                name: helper_name(name, Role::CredsStore, path)?,
                role: Role::CredsStore,
            }),
            None => Ok(Plan::Anonymous),
        }
    }
}

impl AuthEntry {
    fn credentials(&self, key: &str, path: &Path) -> Result<Credentials> {
        // An identity token wins over a password, as in Docker.
        if let Some(t) = self.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Credentials::IdentityToken(t.to_string()));
        }
        if let Some(a) = self.auth.as_deref().filter(|a| !a.is_empty()) {
            let bad = || {
                RegistryError::of(
                    ErrorKind::Credentials,
                    format!(
                        "docker config {}: the `auth` of the auths entry `{key}` is not base64 `user:password`; run `docker login` again or fix it",
                        path.display()
                    ),
                )
            };
            // Some tools write unpadded base64.
            let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(a.trim().trim_end_matches('='))
                .map_err(|_| bad())?;
            let text = String::from_utf8(bytes).map_err(|_| bad())?;
            let (username, secret) = text.split_once(':').ok_or_else(bad)?;
            return Ok(Credentials::Basic {
                username: username.to_string(),
                secret: secret.to_string(),
            });
        }
        Ok(Credentials::Basic {
            username: self.username.clone().unwrap_or_default(),
            secret: self.password.clone().unwrap_or_default(),
        })
    }
}

/// The host a config key names: `https://host:port/v2/` → `host:port`.
fn key_host(key: &str) -> &str {
    let k = key.trim();
    let k = k
        .strip_prefix("https://")
        .or_else(|| k.strip_prefix("http://"))
        .unwrap_or(k);
    k.split('/').next().unwrap_or("")
}

fn is_hub(host: &str) -> bool {
    ["docker.io", "index.docker.io", "registry-1.docker.io"]
        .iter()
        .any(|h| host.eq_ignore_ascii_case(h))
}

fn same_registry(key: &str, registry: &str) -> bool {
    let host = key_host(key);
    host.eq_ignore_ascii_case(registry) || (is_hub(host) && is_hub(registry))
}

/// The server address a helper is asked about.
fn server_address(registry: &str) -> String {
    if is_hub(registry) {
        HUB_SERVER.to_string()
    } else {
        registry.to_string()
    }
}

/// The value of the key for `registry` that `usable` accepts: the key as
/// Docker would write it first, then any other form of the same host (in
/// sorted order, so the choice is stable).
fn best_entry<'a, V>(
    map: &'a BTreeMap<String, V>,
    registry: &str,
    usable: impl Fn(&V) -> bool,
) -> Option<(&'a str, &'a V)> {
    let exact = server_address(registry);
    map.get_key_value(exact.as_str())
        .filter(|(_, v)| usable(v))
        .or_else(|| {
            map.iter()
                .find(|(k, v)| same_registry(k, registry) && usable(v))
        })
        .map(|(k, v)| (k.as_str(), v))
}

fn best_match<'a>(
    map: &'a BTreeMap<String, String>,
    registry: &str,
    usable: impl Fn(&String) -> bool,
) -> Option<&'a str> {
    best_entry(map, registry, usable).map(|(_, v)| v.trim())
}

/// A helper name becomes part of a program name: no paths, no spaces.
fn helper_name(name: &str, role: Role, path: &Path) -> Result<String> {
    let name = name.trim();
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.starts_with('.')
    {
        Ok(name.to_string())
    } else {
        Err(RegistryError::of(
            ErrorKind::Credentials,
            format!(
                "docker config {}: `{name}` ({role}) is not a credential helper name; fix it in {}",
                path.display(),
                path.display()
            ),
        ))
    }
}

/// One `docker-credential-NAME get` for one server.
struct Helper<'a> {
    bin: &'a str,
    role: Role,
    server: &'a str,
    config: &'a Path,
}

/// What a helper printed, when it exited.
struct HelperOutput {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// The helper's answer on stdout.
#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username", default)]
    username: Option<String>,
    #[serde(rename = "Secret")]
    secret: Option<String>,
}

impl Helper<'_> {
    fn error(&self, what: &str, hint: &str) -> RegistryError {
        RegistryError::of(
            ErrorKind::Credentials,
            format!(
                "credential helper {} for {} ({} in {}): {what}; {hint}",
                self.bin,
                self.server,
                self.role,
                self.config.display()
            ),
        )
    }

    fn check_hint(&self) -> String {
        format!(
            "check it with `echo {} | {} get` or remove it from {}",
            self.server,
            self.bin,
            self.config.display()
        )
    }

    /// The helper's credentials; `None` when it has none for the server.
    fn get(&self, timeout: Duration) -> Result<Option<Credentials>> {
        let out = self.run(timeout)?;
        if !out.status.success() {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Docker's protocol: "credentials not found in native keychain"
            // on stdout means there are none.
            if [&stdout, &stderr]
                .iter()
                .any(|s| s.to_lowercase().contains("credentials not found"))
            {
                return Ok(None);
            }
            // On failure a helper prints an error message, not credentials.
            let message = first_line(if stdout.trim().is_empty() {
                &stderr
            } else {
                &stdout
            });
            // A wrapper that printed the credentials and then failed must
            // not get its secret quoted.
            let message = if message.contains('{') || message.to_lowercase().contains("secret") {
                String::new()
            } else {
                message
            };
            let status = match out.status.code() {
                Some(c) => format!("exit code {c}"),
                None => "killed by a signal".to_string(),
            };
            let what = if message.is_empty() {
                format!("failed ({status})")
            } else {
                format!("failed ({status}): {message}")
            };
            return Err(self.error(&what, &self.check_hint()));
        }
        // Never quote the output: it is where the secret would be.
        let answer: HelperAnswer = serde_json::from_slice(&out.stdout).map_err(|_| {
            self.error(
                "did not print credentials json (ServerURL, Username, Secret)",
                &self.check_hint(),
            )
        })?;
        let username = answer.username.unwrap_or_default();
        let Some(secret) = answer.secret else {
            return Err(self.error("printed json without a Secret", &self.check_hint()));
        };
        if username.is_empty() && secret.is_empty() {
            return Ok(None);
        }
        if username == TOKEN_USERNAME {
            return Ok(Some(Credentials::IdentityToken(secret)));
        }
        Ok(Some(Credentials::Basic { username, secret }))
    }

    /// Runs `BIN get` with the server on stdin, killing it after `timeout`.
    fn run(&self, timeout: Duration) -> Result<HelperOutput> {
        let mut child = spawn_retrying(|| {
            Command::new(self.bin)
                .arg("get")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
        })
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                self.error(
                    "not found on PATH",
                    &format!(
                        "install {} or remove it from {}",
                        self.bin,
                        self.config.display()
                    ),
                )
            } else {
                self.error(
                    &format!("cannot run it: {}", gate_fsutil::plain(&e.to_string())),
                    &format!(
                        "make it executable or remove it from {}",
                        self.config.display()
                    ),
                )
            }
        })?;
        // The address is far smaller than a pipe buffer, so this cannot
        // block; a helper that exits without reading is not our error.
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(self.server.as_bytes());
        }
        let stdout = child.stdout.take().map(drain);
        let stderr = child.stderr.take().map(drain);
        let deadline = Instant::now() + timeout;
        let timed_out = || {
            self.error(
                &format!(
                    "no answer within {}s, so it was killed",
                    timeout.as_secs_f32()
                ),
                &self.check_hint(),
            )
        };
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(25));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(timed_out());
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(self.error(
                        &format!(
                            "waiting for it failed: {}",
                            gate_fsutil::plain(&e.to_string())
                        ),
                        &self.check_hint(),
                    ));
                }
            }
        };
        // A helper may leave a daemon holding its stdout open: bound the
        // wait for the pipes too.
        let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| -> Result<Vec<u8>> {
            let Some(rx) = rx else {
                return Ok(Vec::new());
            };
            let left = deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(100));
            rx.recv_timeout(left).map_err(|_| timed_out())
        };
        Ok(HelperOutput {
            status,
            stdout: collect(stdout)?,
            stderr: collect(stderr)?,
        })
    }
}

/// Reads a pipe to its end (at most 1 MiB) on a thread.
fn drain(pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.take(1 << 20).read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

/// The first non-empty line of a helper's error message, bounded.
/// Spawns, retrying briefly on ETXTBSY: a helper that was just written
/// (installed, or created by a test) can be held open for writing by a
/// child that another thread forked and that has not exec'd yet.
fn spawn_retrying(
    mut spawn: impl FnMut() -> std::io::Result<std::process::Child>,
) -> std::io::Result<std::process::Child> {
    const ETXTBSY: i32 = 26;
    let mut tries = 0;
    loop {
        match spawn() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) && tries < 20 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut out: String = line.chars().take(200).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    out.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(json: &str, registry: &str) -> Result<Plan> {
        let path = Path::new("/home/u/.docker/config.json");
        ConfigFile::parse(json.as_bytes(), path)?.plan(registry, path)
    }

    fn basic(u: &str, p: &str) -> Plan {
        Plan::Inline(Credentials::Basic {
            username: u.into(),
            secret: p.into(),
        })
    }

    fn helper(name: &str, role: Role) -> Plan {
        Plan::Helper {
            name: name.into(),
            role,
        }
    }

    #[test]
    fn auths_keys_in_every_form_match_the_host() {
        // dXNlcjpwYXNz = user:pass
        for key in [
            "reg.example:5000",
            "https://reg.example:5000",
            "https://reg.example:5000/v2/",
            "http://reg.example:5000",
            "reg.example:5000/v1/",
        ] {
            let json = format!(r#"{{"auths":{{"{key}":{{"auth":"dXNlcjpwYXNz"}}}}}}"#);
            assert_eq!(
                plan(&json, "reg.example:5000").unwrap(),
                basic("user", "pass"),
                "{key}"
            );
            assert_eq!(
                plan(&json, "reg.example").unwrap(),
                Plan::Anonymous,
                "the port is part of the host: {key}"
            );
        }
        let json = r#"{"auths":{"other.example":{"auth":"dXNlcjpwYXNz"}}}"#;
        assert_eq!(plan(json, "reg.example").unwrap(), Plan::Anonymous);
    }

    #[test]
    fn auths_entries_username_password_unpadded_and_bad_auth() {
        let json = r#"{"auths":{"r.example":{"username":"me","password":"pw:with:colons"}}}"#;
        assert_eq!(
            plan(json, "r.example").unwrap(),
            basic("me", "pw:with:colons")
        );
        // "a:b" unpadded is YTpi (no padding needed); "ab:c" is YWI6Yw without `==`.
        let json = r#"{"auths":{"r.example":{"auth":"YWI6Yw"}}}"#;
        assert_eq!(plan(json, "r.example").unwrap(), basic("ab", "c"));
        // Not base64 user:pass: an error naming the key, never the value.
        let json = r#"{"auths":{"r.example":{"auth":"c2VjcmV0"}}}"#;
        let e = plan(json, "r.example").unwrap_err().message;
        assert!(e.contains("`r.example`") && e.contains("not base64"), "{e}");
        assert!(!e.contains("c2VjcmV0") && !e.contains("secret"), "{e}");
    }

    #[test]
    fn identity_tokens_win_over_passwords() {
        let json =
            r#"{"auths":{"https://r.example":{"auth":"dXNlcjo=","identitytoken":"refresh-1"}}}"#;
        assert_eq!(
            plan(json, "r.example").unwrap(),
            Plan::Inline(Credentials::IdentityToken("refresh-1".into()))
        );
        let json = r#"{"auths":{"r.example":{"identitytoken":"refresh-2"}}}"#;
        assert_eq!(
            plan(json, "r.example").unwrap(),
            Plan::Inline(Credentials::IdentityToken("refresh-2".into()))
        );
    }

    #[test]
    fn precedence_is_cred_helpers_then_auths_then_creds_store() {
        let all = r#"{
            "auths": {"r.example": {"auth": "dXNlcjpwYXNz"}, "s.example": {"auth": "dXNlcjpwYXNz"}},
            "credHelpers": {"r.example": "ecr-login"},
            "credsStore": "desktop"
        }"#;
        assert_eq!(
            plan(all, "r.example").unwrap(),
            helper("ecr-login", Role::CredHelpers)
        );
        assert_eq!(plan(all, "s.example").unwrap(), basic("user", "pass"));
        assert_eq!(
            plan(all, "t.example").unwrap(),
            helper("desktop", Role::CredsStore)
        );
        // The empty entries `docker login` leaves next to a credsStore are
        // not credentials.
        let desktop = r#"{"auths":{"https://index.docker.io/v1/":{},"r.example":{"auth":""}},"credsStore":"desktop"}"#;
        assert_eq!(
            plan(desktop, "r.example").unwrap(),
            helper("desktop", Role::CredsStore)
        );
        assert_eq!(
            plan(desktop, "docker.io").unwrap(),
            helper("desktop", Role::CredsStore)
        );
        // No config entry at all: anonymous.
        assert_eq!(plan("{}", "r.example").unwrap(), Plan::Anonymous);
        assert_eq!(
            plan(r#"{"auths":null,"credsStore":""}"#, "r.example").unwrap(),
            Plan::Anonymous
        );
    }

    #[test]
    fn exact_keys_win_and_docker_hub_has_aliases() {
        let json = r#"{"auths":{
            "https://index.docker.io/v1/": {"auth": "aHViOmh1Yg=="},
            "docker.io": {"auth": "b3RoZXI6b3RoZXI="}
        }}"#;
        for r in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
            assert_eq!(plan(json, r).unwrap(), basic("hub", "hub"), "{r}");
        }
        let json = r#"{"credHelpers":{"https://index.docker.io/v1/":"pass"}}"#;
        assert_eq!(
            plan(json, "docker.io").unwrap(),
            helper("pass", Role::CredHelpers)
        );
        assert_eq!(server_address("docker.io"), HUB_SERVER);
        assert_eq!(server_address("ghcr.io"), "ghcr.io");
        assert_eq!(server_address("127.0.0.1:5000"), "127.0.0.1:5000");
    }

    #[test]
    fn bad_configs_are_errors_without_their_values() {
        let e = plan(r#"{"auths":{"r.example":"dG9wc2VjcmV0"}}"#, "r.example")
            .unwrap_err()
            .message;
        assert!(e.starts_with("cannot read docker config"), "{e}");
        assert!(e.contains("line 1 column"), "{e}");
        assert!(!e.contains("dG9wc2VjcmV0"), "{e}");
        let e = plan("{not json", "r.example").unwrap_err().message;
        assert!(e.contains("invalid json"), "{e}");
        let e = plan(r#"{"credsStore":"../../bin/sh"}"#, "r.example")
            .unwrap_err()
            .message;
        assert!(e.contains("not a credential helper name"), "{e}");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let b = Credentials::Basic {
            username: "me".into(),
            secret: "hunter2".into(),
        };
        let t = Credentials::IdentityToken("refresh".into());
        let s = format!("{b:?} {t:?}");
        assert!(!s.contains("hunter2") && !s.contains("refresh"), "{s}");
        assert_eq!(b.basic_header().as_deref(), Some("Basic bWU6aHVudGVyMg=="));
        assert_eq!(t.basic_header(), None);
    }

    #[test]
    fn hints_name_the_source() {
        let l = Lookup {
            config: Some(PathBuf::from("/c/config.json")),
            helper: Some(("docker-credential-x".into(), Role::CredsStore)),
            credentials: None,
        };
        let h = l.hint("r.example");
        assert!(
            h.contains("no credentials for r.example in /c/config.json"),
            "{h}"
        );
        assert!(
            h.contains("docker-credential-x (credsStore) has none"),
            "{h}"
        );
    }

    #[cfg(unix)]
    mod helpers {
        use super::super::*;
        use std::os::unix::fs::PermissionsExt;

        /// A helper script in a temp dir, run by path.
        fn script(dir: &tempfile::TempDir, body: &str) -> String {
            let p = dir.path().join("docker-credential-test");
            std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            p.display().to_string()
        }

        fn get(bin: &str, timeout: Duration) -> Result<Option<Credentials>> {
            Helper {
                bin,
                role: Role::CredsStore,
                server: "r.example:5000",
                config: Path::new("/c/config.json"),
            }
            .get(timeout)
        }

        #[test]
        fn helpers_get_the_server_on_stdin() {
            let d = tempfile::tempdir().unwrap();
            let bin = script(
                &d,
                r#"[ "$1" = get ] || exit 3
read -r server || true
[ "$server" = r.example:5000 ] || { echo "wrong server $server"; exit 1; }
echo '{"ServerURL":"r.example:5000","Username":"u","Secret":"s3cret"}'"#,
            );
            assert_eq!(
                get(&bin, HELPER_TIMEOUT).unwrap(),
                Some(Credentials::Basic {
                    username: "u".into(),
                    secret: "s3cret".into()
                })
            );
            let bin = script(
                &d,
                r#"echo '{"ServerURL":"r.example:5000","Username":"<token>","Secret":"rt"}'"#,
            );
            assert_eq!(
                get(&bin, HELPER_TIMEOUT).unwrap(),
                Some(Credentials::IdentityToken("rt".into()))
            );
        }

        #[test]
        fn not_found_is_anonymous_and_failures_are_errors() {
            let d = tempfile::tempdir().unwrap();
            let bin = script(
                &d,
                "echo 'credentials not found in native keychain'; exit 1",
            );
            assert_eq!(get(&bin, HELPER_TIMEOUT).unwrap(), None);
            let bin = script(&d, "echo 'The Keychain Is Locked' >&2; exit 2");
            let e = get(&bin, HELPER_TIMEOUT).unwrap_err().message;
            assert!(
                e.contains("failed (exit code 2): the keychain is locked"),
                "{e}"
            );
            assert!(e.contains("/c/config.json") && e.contains(&bin), "{e}");
            let bin = script(&d, "echo 'Secret: s3cret, not json'");
            let e = get(&bin, HELPER_TIMEOUT).unwrap_err().message;
            assert!(e.contains("did not print credentials json"), "{e}");
            assert!(!e.contains("s3cret"), "{e}");
            // A wrapper that printed the credentials and then failed.
            let bin = script(
                &d,
                r#"echo '{"ServerURL":"r","Username":"u","Secret":"s3cret"}'; exit 1"#,
            );
            let e = get(&bin, HELPER_TIMEOUT).unwrap_err().message;
            assert!(e.contains("failed (exit code 1)"), "{e}");
            assert!(!e.contains("s3cret"), "{e}");
            let e = get("docker-credential-gate-absent", HELPER_TIMEOUT)
                .unwrap_err()
                .message;
            assert!(
                e.contains("not found on PATH; install docker-credential-gate-absent or remove it from /c/config.json"),
                "{e}"
            );
        }

        #[test]
        fn slow_helpers_are_killed() {
            let d = tempfile::tempdir().unwrap();
            let marker = d.path().join("survived");
            // Only the shell touches the marker, after its sleep: no marker
            // later means the shell itself was killed.
            let bin = script(&d, &format!("sleep 3\ntouch {}", marker.display()));
            let start = Instant::now();
            let e = get(&bin, Duration::from_millis(300)).unwrap_err().message;
            assert!(e.contains("no answer within 0.3s, so it was killed"), "{e}");
            // Well before the helper's own 3 s, with room for a loaded CI machine.
            assert!(
                start.elapsed() < Duration::from_millis(2500),
                "{:?}",
                start.elapsed()
            );
            std::thread::sleep(Duration::from_millis(3500).saturating_sub(start.elapsed()));
            assert!(!marker.exists(), "the helper was not killed");
        }
    }
}
