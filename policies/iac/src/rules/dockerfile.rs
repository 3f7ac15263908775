//! Dockerfile rules. The host gives one resource per build stage; rules about
//! the resulting image (USER, HEALTHCHECK) look at the final stage and the
//! stages it builds `FROM`.

use super::kubernetes::registry_allowed;
use super::{Out, Rule};
use serde_json::Value;

rule!(
    USER_MISSING,
    "iac/docker-user-missing",
    ["CKV_DOCKER_3"],
    Low,
    "dockerfile",
    "the image must switch to a non-root USER",
    "create an unprivileged user and add `USER <name>` to the final stage"
);
rule!(
    USER_ROOT,
    "iac/docker-user-root",
    ["CKV_DOCKER_8"],
    High,
    "dockerfile",
    "the last USER of the image must not be root",
    "end the final stage with `USER <non-root user>`"
);
rule!(
    IMAGE_LATEST,
    "iac/docker-image-latest",
    ["CKV_DOCKER_7"],
    Medium,
    "dockerfile",
    "base images must be pinned to a version tag (not latest, not missing) or a digest",
    "use `FROM image:<version>` or `FROM image@sha256:...`"
);
rule!(
    IMAGE_REGISTRY,
    "iac/docker-image-registry",
    [],
    High,
    "dockerfile",
    "base images must come from the registries in `allowed-registries`",
    "pull the base image from an allowed registry (mirror it there)"
);
rule!(
    ADD_REMOTE,
    "iac/docker-add-remote-url",
    ["CKV_DOCKER_4"],
    High,
    "dockerfile",
    "ADD must not fetch remote URLs (no checksum, no cache control)",
    "download with RUN curl/wget and verify a checksum, or use ADD --checksum=sha256:..."
);
rule!(
    ADD_LOCAL,
    "iac/docker-add-instead-of-copy",
    ["CKV_DOCKER_4"],
    Low,
    "dockerfile",
    "use COPY instead of ADD for local files",
    "replace ADD with COPY (ADD silently extracts archives)"
);
rule!(
    HEALTHCHECK,
    "iac/docker-healthcheck",
    ["CKV_DOCKER_2"],
    Low,
    "dockerfile",
    "the image should declare a HEALTHCHECK",
    "add a HEALTHCHECK instruction to the final stage"
);
rule!(
    EXPOSE_SSH,
    "iac/docker-expose-ssh",
    ["CKV_DOCKER_1"],
    Medium,
    "dockerfile",
    "the image must not EXPOSE port 22",
    "remove EXPOSE 22; do not run sshd in containers"
);
rule!(
    UPDATE_ALONE,
    "iac/docker-package-update-alone",
    ["CKV_DOCKER_5"],
    Low,
    "dockerfile",
    "a package index update must be followed by an install in the same RUN",
    "combine `apt-get update && apt-get install ...` in one RUN instruction"
);
rule!(
    APT,
    "iac/docker-apt",
    ["CKV_DOCKER_9"],
    Low,
    "dockerfile",
    "use apt-get (stable CLI) rather than apt in Dockerfiles",
    "replace `apt` with `apt-get`"
);
rule!(
    NO_RECOMMENDS,
    "iac/docker-apt-no-install-recommends",
    [],
    Low,
    "dockerfile",
    "apt-get install should use --no-install-recommends",
    "add --no-install-recommends to apt-get install"
);
rule!(
    APT_CLEANUP,
    "iac/docker-apt-cache-cleanup",
    [],
    Low,
    "dockerfile",
    "a RUN that installs with apt-get should remove /var/lib/apt/lists",
    "end the RUN with `&& rm -rf /var/lib/apt/lists/*` (or use a cache mount)"
);
rule!(
    CURL_PIPE_SH,
    "iac/docker-curl-pipe-shell",
    [],
    High,
    "dockerfile",
    "do not pipe downloaded scripts into a shell",
    "download the script, verify its checksum or signature, then run it"
);
rule!(
    SECRET_ENV,
    "iac/docker-secret-in-env",
    [],
    High,
    "dockerfile",
    "secrets must not be baked into ENV or ARG defaults",
    "pass secrets with RUN --mount=type=secret (BuildKit) or at runtime"
);

pub static RULES: &[&Rule] = &[
    &USER_MISSING,
    &USER_ROOT,
    &IMAGE_LATEST,
    &IMAGE_REGISTRY,
    &ADD_REMOTE,
    &ADD_LOCAL,
    &HEALTHCHECK,
    &EXPOSE_SSH,
    &UPDATE_ALONE,
    &APT,
    &NO_RECOMMENDS,
    &APT_CLEANUP,
    &CURL_PIPE_SH,
    &SECRET_ENV,
];

/// One stage of a Dockerfile: (name, attributes).
pub type Stage<'a> = (&'a str, &'a Value);

fn instructions(a: &Value) -> &[Value] {
    a.get("instructions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn keyword(i: &Value) -> &str {
    i.get("instruction").and_then(Value::as_str).unwrap_or("")
}

fn line(i: &Value) -> Option<u32> {
    i.get("line").and_then(Value::as_u64).map(|l| l as u32)
}

fn value(i: &Value) -> &str {
    i.get("value").and_then(Value::as_str).unwrap_or("")
}

/// The chain of stages the final image is built from, final first.
fn chain<'a>(stages: &[Stage<'a>], start: usize) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut cur = stages.get(start).map(|s| s.1);
    while let Some(a) = cur {
        if out.len() > stages.len() {
            break;
        }
        out.push(a);
        let base = a
            .get("from")
            .and_then(|f| f.get("stage"))
            .and_then(Value::as_str);
        cur = base.and_then(|b| {
            stages
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(b))
                .map(|s| s.1)
        });
    }
    out
}

/// Runs the rules for stage `i` of a Dockerfile with the given stages.
pub fn check(stages: &[Stage], i: usize, allowed: &[String], out: &mut Out) {
    let Some(&(name, a)) = stages.get(i) else {
        return;
    };
    let from = a.get("from");
    let fs = |k: &str| from.and_then(|f| f.get(k)).and_then(Value::as_str);
    let from_line = from
        .and_then(|f| f.get("line"))
        .and_then(Value::as_u64)
        .map(|l| l as u32);
    if fs("stage").is_none() {
        let image = fs("image").unwrap_or("");
        let raw = fs("raw").unwrap_or(image);
        let resolved = !image.contains('$');
        if !image.eq_ignore_ascii_case("scratch") && resolved {
            let tag = fs("tag");
            if fs("digest").is_none() && tag.is_none_or(|t| t == "latest") {
                out.hit_at(
                    &IMAGE_LATEST,
                    format!(
                        "{name}: FROM {raw} is {}",
                        if tag.is_some() {
                            "tagged latest"
                        } else {
                            "not pinned to a version tag"
                        }
                    ),
                    from_line,
                );
            }
            if !allowed.is_empty() && !registry_allowed(image, allowed) {
                out.hit_at(
                    &IMAGE_REGISTRY,
                    format!(
                        "{name}: FROM {raw} is not from an allowed registry ({})",
                        allowed.join(", ")
                    ),
                    from_line,
                );
            }
        }
    }
    for ins in instructions(a) {
        let kw = keyword(ins);
        match kw {
            "ADD" => add(name, ins, out),
            "EXPOSE" => {
                let args = super::strings(ins.get("args"));
                if args.iter().any(|p| {
                    let p = p.trim();
                    p == "22" || p.starts_with("22/")
                }) {
                    out.hit_at(
                        &EXPOSE_SSH,
                        format!("{name}: EXPOSE {} publishes SSH", value(ins)),
                        line(ins),
                    );
                }
            }
            "RUN" => run(name, ins, out),
            "ENV" | "ARG" => secrets(name, kw, ins, out),
            _ => {}
        }
    }
    // Image-level rules on the final stage.
    if i + 1 != stages.len() {
        return;
    }
    let chain = chain(stages, i);
    let last_user = chain
        .iter()
        .find_map(|s| instructions(s).iter().rev().find(|x| keyword(x) == "USER"));
    match last_user {
        None => out.hit_at(
            &USER_MISSING,
            format!("{name}: no USER instruction; the image runs as root"),
            from_line,
        ),
        Some(u) => {
            let who = value(u).trim();
            let user = who.split(':').next().unwrap_or("").trim();
            if user == "root" || user == "0" {
                out.hit_at(
                    &USER_ROOT,
                    format!("{name}: the last USER is {who}; the image runs as root"),
                    line(u),
                );
            }
        }
    }
    let health = chain
        .iter()
        .any(|s| instructions(s).iter().any(|x| keyword(x) == "HEALTHCHECK"));
    if !health {
        out.hit_at(
            &HEALTHCHECK,
            format!("{name}: the image has no HEALTHCHECK"),
            from_line,
        );
    }
}

fn add(name: &str, ins: &Value, out: &mut Out) {
    let args = super::strings(ins.get("args"));
    let sources = args.split_last().map_or(&[][..], |(_, s)| s);
    let remote: Vec<&&str> = sources
        .iter()
        .filter(|s| {
            let l = s.to_ascii_lowercase();
            l.starts_with("http://") || l.starts_with("https://") || l.starts_with("git@")
        })
        .collect();
    let checksum = ins.get("flags").and_then(|f| f.get("checksum")).is_some();
    if !remote.is_empty() {
        if !checksum {
            out.hit_at(
                &ADD_REMOTE,
                format!(
                    "{name}: ADD fetches {} without a checksum",
                    remote.iter().map(|s| **s).collect::<Vec<_>>().join(", ")
                ),
                line(ins),
            );
        }
    } else {
        out.hit_at(
            &ADD_LOCAL,
            format!("{name}: ADD {} (use COPY)", value(ins)),
            line(ins),
        );
    }
}

/// A shell command segment and the separator that follows it.
struct Segment<'a> {
    words: Vec<&'a str>,
    /// `|`, `&&`, `||`, `;` or empty at the end.
    next: &'a str,
}

/// Splits a shell command line into simple commands (good enough for
/// Dockerfile RUN lines; quotes are not interpreted).
fn segments(cmd: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut words = Vec::new();
    let bytes = cmd.as_bytes();
    let mut i = 0;
    let mut start: Option<usize> = None;
    while i < bytes.len() {
        let c = bytes.get(i).copied().unwrap_or(b' ');
        let two = cmd.get(i..i + 2).unwrap_or("");
        let sep = if two == "&&" || two == "||" {
            Some(two)
        } else if c == b'|' || c == b';' {
            cmd.get(i..i + 1)
        } else {
            None
        };
        if let Some(sep) = sep {
            flush_word(cmd, &mut words, &mut start, i);
            out.push(Segment {
                words: std::mem::take(&mut words),
                next: sep,
            });
            i += sep.len();
            continue;
        }
        if c.is_ascii_whitespace() || c == b'(' || c == b')' {
            flush_word(cmd, &mut words, &mut start, i);
        } else if start.is_none() {
            start = Some(i);
        }
        i += 1;
    }
    flush_word(cmd, &mut words, &mut start, bytes.len());
    out.push(Segment { words, next: "" });
    out.retain(|s| !s.words.is_empty() || !s.next.is_empty());
    out
}

fn flush_word<'a>(cmd: &'a str, words: &mut Vec<&'a str>, start: &mut Option<usize>, end: usize) {
    if let Some(s) = start.take()
        && let Some(w) = cmd.get(s..end)
    {
        words.push(w);
    }
}

/// The command of a segment (skipping `sudo`, `env`, `VAR=value`, `then`,
/// `do`, `!`) and its arguments.
fn command<'a, 'b>(s: &'b Segment<'a>) -> Option<(&'a str, &'b [&'a str])> {
    let mut i = 0;
    while let Some(w) = s.words.get(i) {
        if matches!(
            *w,
            "sudo" | "env" | "then" | "do" | "else" | "!" | "exec" | "time" | "{"
        ) || (w.contains('=') && !w.starts_with('-'))
        {
            i += 1;
            continue;
        }
        let name = w.rsplit('/').next().unwrap_or(w);
        return Some((name, s.words.get(i + 1..).unwrap_or(&[])));
    }
    None
}

/// The first non-option argument.
fn subcommand<'a>(args: &[&'a str]) -> Option<&'a str> {
    args.iter().copied().find(|a| !a.starts_with('-'))
}

/// A segment's command and arguments, and the separator after it.
type Parsed<'a, 'b> = (Option<(&'a str, &'b [&'a str])>, &'a str);

const PKG: &[&str] = &["apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper"];

fn run(name: &str, ins: &Value, out: &mut Out) {
    let text = value(ins);
    let mut cmds: Vec<String> = vec![text.to_string()];
    if let Some(docs) = ins.get("heredocs").and_then(Value::as_array) {
        cmds.extend(
            docs.iter()
                .filter_map(|d| d.get("content").and_then(Value::as_str))
                .map(str::to_string),
        );
    }
    let l = line(ins);
    let all = cmds.join("\n;\n");
    let segs = segments(&all);
    let parsed: Vec<Parsed> = segs.iter().map(|s| (command(s), s.next)).collect();
    let mut apt_install = false;
    let mut lacks_recommends = false;
    let mut used_apt = false;
    for (k, (cmd, next)) in parsed.iter().enumerate() {
        let Some((c, args)) = *cmd else { continue };
        let sub = subcommand(args);
        if PKG.contains(&c) && sub == Some("update") {
            let later_install = parsed.iter().skip(k + 1).any(|(x, _)| {
                x.is_some_and(|(c2, a2)| {
                    PKG.contains(&c2)
                        && matches!(
                            subcommand(a2),
                            Some("install" | "add" | "upgrade" | "dist-upgrade")
                        )
                })
            });
            if !later_install {
                out.hit_at(
                    &UPDATE_ALONE,
                    format!("{name}: RUN `{c} update` at line {} is not followed by an install in the same layer", l.unwrap_or(0)),
                    l,
                );
            }
        }
        if c == "apt" {
            used_apt = true;
        }
        if (c == "apt-get" || c == "apt") && sub == Some("install") {
            apt_install = true;
            let no_rec = args.iter().any(|a| {
                *a == "--no-install-recommends"
                    || a.contains("Install-Recommends=false")
                    || a.contains("Install-Recommends=0")
            });
            if !no_rec {
                lacks_recommends = true;
            }
        }
        if matches!(c, "curl" | "wget")
            && *next == "|"
            && let Some((Some((sh, _)), _)) = parsed.get(k + 1)
            && matches!(
                *sh,
                "sh" | "bash" | "zsh" | "ash" | "dash" | "ksh" | "python" | "python3" | "perl"
            )
        {
            out.hit_at(
                &CURL_PIPE_SH,
                format!(
                    "{name}: RUN at line {} pipes `{c}` output into `{sh}`",
                    l.unwrap_or(0)
                ),
                l,
            );
        }
    }
    if used_apt {
        out.hit_at(
            &APT,
            format!(
                "{name}: RUN at line {} uses `apt`; use `apt-get`",
                l.unwrap_or(0)
            ),
            l,
        );
    }
    if lacks_recommends {
        out.hit_at(
            &NO_RECOMMENDS,
            format!(
                "{name}: RUN at line {} runs an apt/apt-get install without --no-install-recommends",
                l.unwrap_or(0)
            ),
            l,
        );
    }
    let cache_mount = ins
        .get("flags")
        .and_then(|f| f.get("mount"))
        .and_then(Value::as_str)
        .is_some_and(|m| m.contains("type=cache"));
    if apt_install && !cache_mount && !all.contains("/var/lib/apt/lists") {
        out.hit_at(
            &APT_CLEANUP,
            format!("{name}: RUN at line {} installs packages but leaves /var/lib/apt/lists in the layer", l.unwrap_or(0)),
            l,
        );
    }
}

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

fn secrets(name: &str, kw: &str, ins: &Value, out: &mut Out) {
    let args = super::strings(ins.get("args"));
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if args.iter().any(|a| a.contains('=')) {
        pairs.extend(args.iter().filter_map(|a| a.split_once('=')));
    } else if kw == "ENV" && args.len() >= 2 {
        // Legacy `ENV KEY value...`.
        if let Some((k, rest)) = value(ins).trim().split_once(char::is_whitespace) {
            pairs.push((k, rest.trim()));
        }
    }
    for (k, v) in pairs {
        let up = k.to_ascii_uppercase();
        let secretish = SECRET_WORDS.iter().any(|w| up.contains(w))
            && !up.ends_with("_FILE")
            && !up.ends_with("_PATH")
            && !up.ends_with("_URL");
        let v = v.trim().trim_matches('"').trim_matches('\'');
        if secretish && !v.is_empty() && !v.starts_with('$') {
            out.hit_at(
                &SECRET_ENV,
                format!(
                    "{name}: {kw} {k} at line {} bakes a secret-looking value into the image",
                    line(ins).unwrap_or(0)
                ),
                line(ins),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run_one(value: &str) -> Vec<&'static str> {
        let ins = json!({"instruction": "RUN", "value": value, "line": 2});
        let mut out = Out::default();
        run("s", &ins, &mut out);
        out.hits.iter().map(|h| h.rule.id).collect()
    }

    #[test]
    fn run_rules() {
        assert_eq!(
            run_one("apt-get update"),
            vec!["iac/docker-package-update-alone"]
        );
        assert_eq!(run_one("apk --update add moo"), Vec::<&str>::new());
        assert_eq!(
            run_one("apk update --no-cache && apk upgrade --no-cache"),
            Vec::<&str>::new()
        );
        assert_eq!(
            run_one("apt install x && apt update x"),
            vec![
                "iac/docker-package-update-alone",
                "iac/docker-apt",
                "iac/docker-apt-no-install-recommends",
                "iac/docker-apt-cache-cleanup"
            ]
        );
        assert_eq!(
            run_one("cd /var/lib && rm -rf apt dpkg"),
            Vec::<&str>::new()
        );
        assert_eq!(
            run_one("curl -fsSL https://x | sudo bash -"),
            vec!["iac/docker-curl-pipe-shell"]
        );
        assert_eq!(
            run_one(
                "apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*"
            ),
            Vec::<&str>::new()
        );
    }

    /// The host gives a RUN's flags apart from its command (`value`); every
    /// `--mount` is kept, joined by a space.
    #[test]
    fn run_flags_are_not_the_command() {
        let with = |value: &str, flags: Value| {
            let ins = json!({"instruction": "RUN", "value": value, "flags": flags, "line": 2});
            let mut out = Out::default();
            run("s", &ins, &mut out);
            out.hits.iter().map(|h| h.rule.id).collect::<Vec<_>>()
        };
        let cache = "type=cache,target=/var/cache/apt";
        assert_eq!(
            with(
                "apt-get install -y --no-install-recommends curl",
                json!({"mount": cache})
            ),
            Vec::<&str>::new()
        );
        assert_eq!(
            with(
                "apt-get install -y --no-install-recommends curl",
                json!({"mount": format!("{cache} type=secret,id=aptconf")})
            ),
            Vec::<&str>::new()
        );
        assert_eq!(
            with(
                "apt-get install -y --no-install-recommends curl",
                json!({"mount": "type=secret,id=aptconf"})
            ),
            vec!["iac/docker-apt-cache-cleanup"]
        );
        assert_eq!(
            with(
                "curl -fsSL https://example.com/i.sh | sh",
                json!({"mount": "type=secret,id=npmrc"})
            ),
            vec!["iac/docker-curl-pipe-shell"]
        );
        assert_eq!(
            with("apt-get update", json!({"network": "none"})),
            vec!["iac/docker-package-update-alone"]
        );
    }

    #[test]
    fn stages() {
        let base = json!({"index": 0, "from": {"image": "alpine", "tag": "3", "line": 1},
            "instructions": [{"instruction": "USER", "value": "app", "line": 2}, {"instruction": "HEALTHCHECK", "value": "NONE", "line": 3}]});
        let fin = json!({"index": 1, "from": {"image": "base", "stage": "base", "line": 4},
            "instructions": [{"instruction": "ENV", "value": "DB_PASSWORD=hunter2", "args": ["DB_PASSWORD=hunter2"], "line": 5}]});
        let stages = [("base", &base), ("stage-1", &fin)];
        let mut out = Out::default();
        check(&stages, 1, &[], &mut out);
        let ids: Vec<&str> = out.hits.iter().map(|h| h.rule.id).collect();
        assert_eq!(ids, vec!["iac/docker-secret-in-env"]);
    }
}
