//! Registry credentials the Docker way: `credHelpers`, `credsStore` and
//! identity tokens, with real credential helper programs (shell scripts on
//! PATH) and fake registries on 127.0.0.1 that only let the right
//! `Authorization` through. Getting past auth shows as the fake's later
//! answer (a manifest that is not a pack, or `manifest_unknown`); every
//! failure is exit code 5.

use crate::{Run, TestDir};
use base64::Engine as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// One request as the fake registry saw it.
struct Request {
    /// `METHOD /path?query`
    line: String,
    /// Lowercase `name: value` lines.
    headers: Vec<String>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        let prefix = format!("{name}: ");
        self.headers
            .iter()
            .find_map(|h| h.strip_prefix(prefix.as_str()))
    }
}

/// A fake registry on a free loopback port; `answer` maps each request to
/// a whole HTTP response.
fn fake(answer: impl Fn(&Request, u16) -> String + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(32) {
            let Ok(mut s) = s else { return };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
                headers.push(h.trim().to_lowercase());
            }
            let len = headers
                .iter()
                .find_map(|h| h.strip_prefix("content-length: "))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            let req = Request {
                line: line.trim().to_string(),
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            let _ = s.write_all(answer(&req, port).as_bytes());
        }
    });
    port
}

fn response(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// 200 with `{}`: a manifest that is not a pack, which `gate` reports as
/// "not an OCI image manifest" — only reachable past auth.
fn not_a_pack() -> String {
    response("200 OK", "Content-Type: application/json\r\n", "{}")
}

fn basic_challenge() -> String {
    response(
        "401 Unauthorized",
        "WWW-Authenticate: Basic realm=\"r\"\r\n",
        "",
    )
}

fn basic(user: &str, secret: &str) -> String {
    format!(
        "basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{user}:{secret}"))
            .to_lowercase()
    )
}

/// A registry that wants HTTP basic with exactly these credentials.
fn basic_registry(user: &'static str, secret: &'static str) -> u16 {
    let want = basic(user, secret);
    fake(move |req, _| {
        if req.header("authorization") == Some(want.as_str()) {
            not_a_pack()
        } else {
            basic_challenge()
        }
    })
}

/// Writes `docker-credential-NAME` into the test's bin dir: a shell script
/// that records each run in `NAME.ran` and then runs `body`.
fn helper(t: &TestDir, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let marker = t.path().join(format!("{name}.ran"));
    let script = t.write(
        &format!("bin/docker-credential-{name}"),
        format!("#!/bin/sh\necho \"$@\" >> '{}'\n{body}\n", marker.display()),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    marker
}

/// A helper body that insists on `get` and this server address on stdin,
/// then prints the JSON answer.
fn answers(server: &str, username: &str, secret: &str) -> String {
    format!(
        r#"[ "$1" = get ] || {{ echo "unexpected action $1"; exit 1; }}
server=$(cat)
[ "$server" = '{server}' ] || {{ echo "unexpected server $server"; exit 1; }}
printf '%s\n' '{{"ServerURL":"{server}","Username":"{username}","Secret":"{secret}"}}'"#
    )
}

/// `gate pack pull` of `ns/pack:v1` from the loopback registry, with the
/// test's docker config and its bin dir first on PATH.
fn pull(t: &TestDir, port: u16, config: &str) -> Run {
    t.write("docker/config.json", config);
    let path = format!(
        "{}:{}",
        t.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Run {
        out: t
            .command()
            .env("DOCKER_CONFIG", t.path().join("docker"))
            .env("PATH", path)
            .args([
                "pack",
                "pull",
                &format!("oci://127.0.0.1:{port}/ns/pack:v1"),
            ])
            .output()
            .unwrap(),
    }
}

fn runs(marker: &Path) -> usize {
    std::fs::read_to_string(marker).map_or(0, |s| s.lines().count())
}

#[test]
fn cred_helpers_answer_for_their_registry() {
    let port = basic_registry("helper-user", "h3lper-s3cret");
    let t = TestDir::new();
    let _s = t.snapshots();
    let host = format!("127.0.0.1:{port}");
    let ran = helper(
        &t,
        "gatetest",
        &answers(&host, "helper-user", "h3lper-s3cret"),
    );
    // The auths entry (other credentials) and credsStore lose to credHelpers.
    let run = pull(
        &t,
        port,
        &format!(
            r#"{{"auths":{{"{host}":{{"auth":"{}"}}}},"credsStore":"gate-absent","credHelpers":{{"{host}":"gatetest"}}}}"#,
            base64::engine::general_purpose::STANDARD.encode("stale:stale-pw")
        ),
    )
    .expect_code(5);
    // Past auth: the fake's manifest is not a pack.
    insta::assert_snapshot!(run.transcript());
    // The helper was asked exactly once.
    assert_eq!(runs(&ran), 1, "{}", run.stderr());
}

#[test]
fn creds_store_is_the_fallback() {
    let port = basic_registry("store-user", "st0re-s3cret");
    let t = TestDir::new();
    let _s = t.snapshots();
    let host = format!("127.0.0.1:{port}");
    helper(
        &t,
        "gatestore",
        &answers(&host, "store-user", "st0re-s3cret"),
    );
    let other = helper(&t, "gateother", "exit 1");
    // The empty auths entry is what `docker login` leaves next to a store.
    let run = pull(
        &t,
        port,
        &format!(
            r#"{{"auths":{{"http://{host}/v2/":{{}}}},"credsStore":"gatestore","credHelpers":{{"other.example":"gateother"}}}}"#
        ),
    )
    .expect_code(5);
    insta::assert_snapshot!(run.transcript());
    assert_eq!(runs(&other), 0, "another registry's helper ran");
}

#[test]
fn auths_entries_still_win_over_the_creds_store() {
    let port = basic_registry("inline", "inl1ne-pw");
    let t = TestDir::new();
    let _s = t.snapshots();
    let host = format!("127.0.0.1:{port}");
    let store = helper(&t, "gatestore", "exit 1");
    let run = pull(
        &t,
        port,
        &format!(
            r#"{{"auths":{{"https://{host}":{{"username":"inline","password":"inl1ne-pw"}}}},"credsStore":"gatestore"}}"#
        ),
    )
    .expect_code(5);
    insta::assert_snapshot!(run.transcript());
    assert_eq!(runs(&store), 0, "{}", run.stderr());
}

#[test]
fn helper_without_credentials_means_anonymous() {
    let port = fake(|_, _| basic_challenge());
    let t = TestDir::new();
    let _s = t.snapshots();
    let ran = helper(
        &t,
        "gatenone",
        "cat > /dev/null\necho 'credentials not found in native keychain'\nexit 1",
    );
    let run = pull(
        &t,
        port,
        &format!(r#"{{"credHelpers":{{"127.0.0.1:{port}":"gatenone"}}}}"#),
    )
    .expect_code(5);
    // 401, no credentials for the registry in the config: the helper has
    // none; says to `docker login`.
    insta::assert_snapshot!(run.transcript());
    assert_eq!(runs(&ran), 1);
}

#[test]
fn missing_helper_is_exit_5_naming_it() -> anyhow::Result<()> {
    let port = fake(|_, _| basic_challenge());
    let t = TestDir::new();
    let _s = t.snapshots();
    std::fs::create_dir_all(t.path().join("bin"))?;
    let run = pull(&t, port, r#"{"credsStore":"gate-absent-helper"}"#).expect_code(5);
    insta::assert_snapshot!(run.transcript());
    Ok(())
}

#[test]
fn broken_helpers_are_errors_without_secrets() {
    let port = fake(|_, _| basic_challenge());
    let t = TestDir::new();
    let _s = t.snapshots();
    helper(&t, "gategarbage", "echo 'Secret=t0p-s3cret-value'");
    let run = pull(
        &t,
        port,
        &format!(r#"{{"credHelpers":{{"127.0.0.1:{port}":"gategarbage"}}}}"#),
    )
    .expect_code(5);
    let stderr = run.stderr();
    assert!(!stderr.contains("t0p-s3cret-value"), "{stderr}");
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn rejected_helper_credentials_name_the_helper() {
    let port = basic_registry("right", "right-pw");
    let t = TestDir::new();
    let _s = t.snapshots();
    let host = format!("127.0.0.1:{port}");
    helper(&t, "gatewrong", &answers(&host, "wrong", "wr0ng-s3cret"));
    let run = pull(&t, port, r#"{"credsStore":"gatewrong"}"#).expect_code(5);
    let stderr = run.stderr();
    assert!(!stderr.contains("wr0ng-s3cret"), "{stderr}");
    insta::assert_snapshot!(run.transcript());
}

/// A registry with a token service at `/token` that only takes the OAuth2
/// refresh-token grant for `refresh` and hands out `acc3ss-t0ken`.
fn token_registry(refresh: &'static str) -> u16 {
    fake(move |req, port| {
        if req.line.starts_with("POST /token ") {
            let form: Vec<&str> = req.body.split('&').collect();
            let ok = req.header("content-type") == Some("application/x-www-form-urlencoded")
                && req.header("authorization").is_none()
                && form.contains(&"grant_type=refresh_token")
                && form.contains(&format!("refresh_token={refresh}").as_str())
                && form.contains(&"client_id=gate")
                && form.contains(&"service=fake")
                && form.contains(&"scope=repository%3Ans%2Fpack%3Apull");
            if ok {
                response(
                    "200 OK",
                    "Content-Type: application/json\r\n",
                    r#"{"access_token":"acc3ss-t0ken","expires_in":300}"#,
                )
            } else {
                response("400 Bad Request", "", "")
            }
        } else if req.line.starts_with("GET /token") {
            // The basic-credentials flow: wrong for an identity token.
            response("403 Forbidden", "", "")
        } else if req.header("authorization") == Some("bearer acc3ss-t0ken") {
            response(
                "404 Not Found",
                "Content-Type: application/json\r\n",
                r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"nope"}]}"#,
            )
        } else {
            response(
                "401 Unauthorized",
                &format!(
                    "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"fake\"\r\n"
                ),
                "",
            )
        }
    })
}

#[test]
fn identity_tokens_from_helpers_are_exchanged_at_the_realm() {
    let port = token_registry("r3fresh-from-helper");
    let t = TestDir::new();
    let _s = t.snapshots();
    let host = format!("127.0.0.1:{port}");
    helper(
        &t,
        "gatetoken",
        &answers(&host, "<token>", "r3fresh-from-helper"),
    );
    let run = pull(
        &t,
        port,
        &format!(r#"{{"credHelpers":{{"{host}":"gatetoken"}}}}"#),
    )
    .expect_code(5);
    let stderr = run.stderr();
    assert!(!stderr.contains("r3fresh"), "{stderr}");
    // The access token got us past auth to the registry's own answer.
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn identity_tokens_from_auths_are_exchanged_at_the_realm() {
    let port = token_registry("r3fresh-inline");
    let t = TestDir::new();
    let _s = t.snapshots();
    let run = pull(
        &t,
        port,
        &format!(
            r#"{{"auths":{{"127.0.0.1:{port}":{{"auth":"{}","identitytoken":"r3fresh-inline"}}}}}}"#,
            base64::engine::general_purpose::STANDARD.encode("someone:")
        ),
    )
    .expect_code(5);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn rejected_identity_tokens_and_basic_challenges_are_clear() {
    // A stale refresh token: the token service refuses it.
    let port = token_registry("the-current-one");
    let t = TestDir::new();
    let _s = t.snapshots();
    let run = pull(
        &t,
        port,
        &format!(r#"{{"auths":{{"127.0.0.1:{port}":{{"identitytoken":"st4le-token"}}}}}}"#),
    )
    .expect_code(5);
    let stderr = run.stderr();
    assert!(!stderr.contains("st4le-token"), "{stderr}");
    insta::assert_snapshot!("stale_identity_token", run.transcript());
    // An identity token cannot answer HTTP basic.
    let port = fake(|_, _| basic_challenge());
    let run = pull(
        &t,
        port,
        &format!(r#"{{"auths":{{"127.0.0.1:{port}":{{"identitytoken":"st4le-token"}}}}}}"#),
    )
    .expect_code(5);
    insta::assert_snapshot!("identity_token_for_basic_auth", run.transcript());
}

#[test]
fn anonymous_registries_never_run_helpers() {
    let port = fake(|req, _| {
        if req.header("authorization").is_some() {
            response("400 Bad Request", "", "")
        } else {
            not_a_pack()
        }
    });
    let t = TestDir::new();
    let _s = t.snapshots();
    let helper_ran = helper(&t, "gatehelper", "exit 1");
    let store_ran = helper(&t, "gatestore", "exit 1");
    let run = pull(
        &t,
        port,
        &format!(
            r#"{{"credHelpers":{{"127.0.0.1:{port}":"gatehelper"}},"credsStore":"gatestore"}}"#
        ),
    )
    .expect_code(5);
    insta::assert_snapshot!(run.transcript());
    assert!(!helper_ran.exists(), "the credHelpers helper ran");
    assert!(!store_ran.exists(), "the credsStore helper ran");
}
