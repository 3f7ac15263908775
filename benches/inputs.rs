//! Synthetic inputs for the memory benches (`memory.rs`, per parser, and
//! `check_memory.rs`, the whole `gate` process): our own content of about
//! `target` bytes per format, no corpus needed. Included by both with
//! `#[path]`; each uses only some generators.
#![allow(dead_code, clippy::unwrap_used, clippy::arithmetic_side_effects)]

use std::fmt::Write as _;

pub fn fill(
    target: usize,
    head: &str,
    tail: &str,
    mut item: impl FnMut(&mut String, usize),
) -> String {
    let mut out = String::with_capacity(target + 4096);
    out.push_str(head);
    let mut i = 0;
    while out.len() + tail.len() < target {
        item(&mut out, i);
        i += 1;
    }
    out.push_str(tail);
    out
}

/// Comma-separated items: the separator goes before every item but the first.
pub fn sep(out: &mut String, i: usize) {
    if i > 0 {
        out.push(',');
    }
}

pub fn lcov_one_line(target: usize) -> String {
    fill(target, "", "", |o, i| {
        write!(
            o,
            "TN:\nSF:src/module{}/file{i}.c\nDA:1,1\nend_of_record\n",
            i % 97
        )
        .unwrap();
    })
}

pub fn lcov_files(target: usize) -> String {
    fill(target, "", "", |o, i| {
        write!(o, "TN:unit\nSF:/src/pkg{}/file{i}.c\n", i % 50).unwrap();
        for f in 0..5 {
            writeln!(o, "FN:{},function_{f}_of_{i}", f * 40 + 1).unwrap();
            writeln!(o, "FNDA:{},function_{f}_of_{i}", f % 2).unwrap();
        }
        o.push_str("FNF:5\nFNH:2\n");
        for l in 1..=200 {
            if l % 10 == 0 {
                writeln!(o, "BRDA:{l},0,0,1\nBRDA:{l},0,1,-").unwrap();
            }
            writeln!(o, "DA:{l},{}", l % 3).unwrap();
        }
        o.push_str("LF:200\nLH:133\nend_of_record\n");
    })
}

pub fn go_profile(target: usize) -> String {
    fill(target, "mode: count\n", "", |o, i| {
        let file = i / 100;
        let line = (i % 100) * 3 + 1;
        writeln!(
            o,
            "github.com/acme/project/pkg{}/file{file}.go:{line}.2,{}.16 2 {}",
            file % 40,
            line + 2,
            i % 4
        )
        .unwrap();
    })
}

pub fn go_range_bomb(_: usize) -> String {
    "mode: set\nx.go:1.1,4294967295.1 1 1\n".into()
}

pub fn cobertura(target: usize) -> String {
    fill(
        target,
        "<?xml version=\"1.0\"?>\n<coverage line-rate=\"0.5\" branch-rate=\"0.5\" version=\"1\" timestamp=\"1\"><sources><source>/src</source></sources><packages><package name=\"p\"><classes>\n",
        "</classes></package></packages></coverage>\n",
        |o, i| {
            write!(
                o,
                "<class name=\"C{i}\" filename=\"pkg/c{i}.py\"><methods/><lines>"
            )
            .unwrap();
            for l in 1..=50 {
                if l % 10 == 0 {
                    write!(o, "<line number=\"{l}\" hits=\"1\" branch=\"true\" condition-coverage=\"50% (1/2)\"/>").unwrap();
                } else {
                    write!(o, "<line number=\"{l}\" hits=\"{}\"/>", l % 3).unwrap();
                }
            }
            o.push_str("</lines></class>\n");
        },
    )
}

pub fn jacoco(target: usize) -> String {
    fill(
        target,
        "<?xml version=\"1.0\"?>\n<report name=\"r\">\n",
        "</report>\n",
        |o, i| {
            write!(
                o,
                "<package name=\"org/acme/p{i}\"><sourcefile name=\"A{i}.java\">"
            )
            .unwrap();
            for l in 1..=50 {
                write!(
                    o,
                    "<line nr=\"{l}\" mi=\"{}\" ci=\"{}\" mb=\"0\" cb=\"0\"/>",
                    l % 2,
                    (l + 1) % 2
                )
                .unwrap();
            }
            o.push_str(
                "<counter type=\"LINE\" missed=\"25\" covered=\"25\"/></sourcefile></package>\n",
            );
        },
    )
}

pub fn clover(target: usize) -> String {
    fill(
        target,
        "<?xml version=\"1.0\"?>\n<coverage generated=\"1\"><project timestamp=\"1\">\n",
        "</project></coverage>\n",
        |o, i| {
            write!(o, "<file name=\"src/F{i}.php\">").unwrap();
            for l in 1..=50 {
                write!(o, "<line num=\"{l}\" type=\"stmt\" count=\"{}\"/>", l % 3).unwrap();
            }
            o.push_str("</file>\n");
        },
    )
}

pub fn istanbul(target: usize) -> String {
    fill(target, "{", "}", |o, i| {
        sep(o, i);
        write!(
            o,
            "\"/src/f{i}.js\":{{\"path\":\"/src/f{i}.js\",\"statementMap\":{{"
        )
        .unwrap();
        for s in 0..30 {
            sep(o, s);
            write!(o, "\"{s}\":{{\"start\":{{\"line\":{},\"column\":2}},\"end\":{{\"line\":{},\"column\":20}}}}", s + 1, s + 1).unwrap();
        }
        o.push_str("},\"s\":{");
        for s in 0..30 {
            sep(o, s);
            write!(o, "\"{s}\":{}", s % 3).unwrap();
        }
        o.push_str("},\"fnMap\":{},\"f\":{},\"branchMap\":{},\"b\":{}}");
    })
}

pub fn coveragepy(target: usize) -> String {
    fill(
        target,
        "{\"meta\":{\"format\":3,\"version\":\"7.10.4\",\"timestamp\":\"2025-01-01T00:00:00\",\"branch_coverage\":false,\"show_contexts\":false},\"files\":{",
        "},\"totals\":{}}",
        |o, i| {
            sep(o, i);
            write!(o, "\"pkg/m{i}.py\":{{\"executed_lines\":[").unwrap();
            for l in 0..40 {
                sep(o, l);
                write!(o, "{}", l * 2 + 1).unwrap();
            }
            o.push_str("],\"missing_lines\":[");
            for l in 0..40 {
                sep(o, l);
                write!(o, "{}", l * 2 + 2).unwrap();
            }
            o.push_str(
                "],\"excluded_lines\":[],\"summary\":{\"covered_lines\":40,\"num_statements\":80}}",
            );
        },
    )
}

pub fn istanbul_summary(target: usize) -> String {
    let counts = |o: &mut String, t: usize, c: usize| {
        let pct = if t == 0 {
            100.0
        } else {
            c as f64 * 100.0 / t as f64
        };
        write!(
            o,
            "{{\"total\":{t},\"covered\":{c},\"skipped\":0,\"pct\":{pct:.2}}}"
        )
        .unwrap();
    };
    let mut head = String::from("{\"total\":{\"lines\":");
    counts(&mut head, 100, 50);
    head.push_str(",\"statements\":");
    counts(&mut head, 100, 50);
    head.push_str(",\"functions\":");
    counts(&mut head, 10, 5);
    head.push_str(",\"branches\":");
    counts(&mut head, 10, 5);
    head.push('}');
    fill(target, &head, "}", |o, i| {
        write!(o, ",\"/src/pkg{}/f{i}.js\":{{\"lines\":", i % 50).unwrap();
        counts(o, 30 + i % 7, 20);
        o.push_str(",\"statements\":");
        counts(o, 32 + i % 7, 21);
        o.push_str(",\"functions\":");
        counts(o, 4, i % 5);
        o.push_str(",\"branches\":");
        counts(o, 0, 0);
        o.push('}');
    })
}

pub fn sarif(target: usize) -> String {
    fill(
        target,
        "{\"version\":\"2.1.0\",\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"scanner\",\"rules\":[{\"id\":\"R1\",\"properties\":{\"security-severity\":\"7.5\"}}]}},\"results\":[",
        "]}]}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"ruleId\":\"R1\",\"level\":\"error\",\"message\":{{\"text\":\"finding number {i}\"}},\"locations\":[{{\"physicalLocation\":{{\"artifactLocation\":{{\"uri\":\"src/f{}.c\"}},\"region\":{{\"startLine\":{}}}}}}}]}}", i % 500, i % 1000 + 1).unwrap();
        },
    )
}

pub fn grype(target: usize) -> String {
    fill(
        target,
        "{\"matches\":[",
        "],\"source\":{\"type\":\"image\",\"target\":{\"userInput\":\"img\"}},\"descriptor\":{\"name\":\"grype\",\"version\":\"0.80.0\"}}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"vulnerability\":{{\"id\":\"CVE-2024-{i}\",\"severity\":\"High\",\"description\":\"something bad in package {i}\",\"fix\":{{\"versions\":[\"1.0.{i}\"],\"state\":\"fixed\"}},\"cvss\":[]}},\"relatedVulnerabilities\":[],\"artifact\":{{\"name\":\"pkg{i}\",\"version\":\"0.{i}\",\"type\":\"npm\",\"locations\":[{{\"path\":\"/app/node_modules/pkg{i}/package.json\"}}],\"purl\":\"pkg:npm/pkg{i}@0.{i}\"}}}}").unwrap();
        },
    )
}

pub fn trivy(target: usize) -> String {
    fill(
        target,
        "{\"SchemaVersion\":2,\"ArtifactName\":\"app:latest\",\"ArtifactType\":\"container_image\",\"Results\":[{\"Target\":\"app:latest (alpine 3.19.0)\",\"Class\":\"os-pkgs\",\"Type\":\"alpine\",\"Vulnerabilities\":[",
        "]}]}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"VulnerabilityID\":\"CVE-2024-{i}\",\"PkgName\":\"lib{i}\",\"InstalledVersion\":\"1.{i}-r0\",\"FixedVersion\":\"1.{i}-r1\",\"Severity\":\"HIGH\",\"SeveritySource\":\"nvd\",\"Title\":\"lib{i}: overflow\",\"Description\":\"a buffer overflow in lib{i}\",\"CweIDs\":[\"CWE-787\"],\"VendorIDs\":[\"DSA-{i}\"],\"CVSS\":{{\"nvd\":{{\"V3Vector\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"V3Score\":9.8}}}}}}").unwrap();
        },
    )
}

pub fn npm_audit(target: usize) -> String {
    fill(
        target,
        "{\"auditReportVersion\":2,\"vulnerabilities\":{",
        "},\"metadata\":{\"vulnerabilities\":{\"total\":0}}}",
        |o, i| {
            sep(o, i);
            write!(o, "\"pkg{i}\":{{\"name\":\"pkg{i}\",\"severity\":\"moderate\",\"isDirect\":true,\"via\":[{{\"source\":{i},\"name\":\"pkg{i}\",\"dependency\":\"pkg{i}\",\"title\":\"pkg{i} can be negative\",\"url\":\"https://github.com/advisories/GHSA-{:04x}-2222-3333\",\"severity\":\"moderate\",\"cwe\":[\"CWE-20\"],\"cvss\":{{\"score\":5.3,\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N\"}},\"range\":\"<1.3.1\"}},\"other{i}\"],\"effects\":[],\"range\":\"<1.3.1\",\"nodes\":[\"node_modules/pkg{i}\"],\"fixAvailable\":{{\"name\":\"pkg{i}\",\"version\":\"1.3.1\",\"isSemVerMajor\":false}}}}", i % 65536).unwrap();
        },
    )
}

pub fn osv_scanner(target: usize) -> String {
    fill(
        target,
        "{\"results\":[{\"source\":{\"path\":\"go.mod\",\"type\":\"lockfile\"},\"packages\":[",
        "]}]}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"package\":{{\"name\":\"example.com/m{i}\",\"version\":\"0.{i}.0\",\"ecosystem\":\"Go\"}},\"vulnerabilities\":[{{\"id\":\"GO-2024-{i}\",\"aliases\":[\"CVE-2024-{i}\"],\"summary\":\"loop in m{i}\",\"details\":\"an infinite loop in m{i}\",\"severity\":[{{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"}}],\"affected\":[{{\"package\":{{\"name\":\"example.com/m{i}\",\"ecosystem\":\"Go\"}},\"ranges\":[{{\"type\":\"SEMVER\",\"events\":[{{\"introduced\":\"0\"}},{{\"fixed\":\"0.{i}.1\"}}]}}]}}]}}],\"groups\":[{{\"ids\":[\"GO-2024-{i}\",\"CVE-2024-{i}\"],\"max_severity\":\"7.5\"}}]}}").unwrap();
        },
    )
}

pub fn pip_audit(target: usize) -> String {
    fill(target, "{\"dependencies\":[", "],\"fixes\":[]}", |o, i| {
        sep(o, i);
        write!(o, "{{\"name\":\"pkg{i}\",\"version\":\"0.{i}\",\"vulns\":[{{\"id\":\"PYSEC-2024-{i}\",\"fix_versions\":[\"1.{i}\"],\"aliases\":[\"CVE-2024-{i}\"],\"description\":\"pkg{i} leaks sessions\"}}]}}").unwrap();
    })
}

pub fn cargo_audit(target: usize) -> String {
    fill(
        target,
        "{\"database\":{\"advisory-count\":500,\"last-commit\":\"0000000000000000000000000000000000000000\",\"last-updated\":\"2024-01-01T00:00:00Z\"},\"lockfile\":{\"dependency-count\":42},\"vulnerabilities\":{\"found\":true,\"count\":0,\"list\":[",
        "]},\"warnings\":{}}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"advisory\":{{\"id\":\"RUSTSEC-2024-{i}\",\"package\":\"crate{i}\",\"title\":\"overflow in crate{i}\",\"description\":\"insert can write past the end\",\"date\":\"2024-01-02\",\"aliases\":[\"CVE-2024-{i}\"],\"related\":[],\"collection\":\"crates\",\"categories\":[\"memory-corruption\"],\"keywords\":[],\"cvss\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"informational\":null,\"references\":[],\"source\":null,\"url\":\"https://example.invalid/{i}\",\"withdrawn\":null,\"license\":\"CC0-1.0\"}},\"versions\":{{\"patched\":[\">=1.{i}.1\"],\"unaffected\":[]}},\"affected\":null,\"package\":{{\"name\":\"crate{i}\",\"version\":\"1.{i}.0\",\"source\":\"registry+https://github.com/rust-lang/crates.io-index\",\"checksum\":null,\"dependencies\":[],\"replace\":null}}}}").unwrap();
        },
    )
}

pub fn gitleaks(target: usize) -> String {
    fill(target, "[", "]", |o, i| {
        sep(o, i);
        write!(o, "{{\"RuleID\":\"aws-access-token\",\"Description\":\"AWS access key\",\"StartLine\":{},\"EndLine\":{},\"StartColumn\":9,\"EndColumn\":28,\"Match\":\"AKIAXXXXXXXXXXXX{i:04}\",\"Secret\":\"AKIAXXXXXXXXXXXX{i:04}\",\"File\":\"config/f{}.env\",\"SymlinkFile\":\"\",\"Commit\":\"0123456789abcdef0123456789abcdef01234567\",\"Entropy\":3.5,\"Author\":\"dev\",\"Email\":\"dev@example.invalid\",\"Date\":\"2024-01-01T00:00:00Z\",\"Message\":\"add env\",\"Tags\":[],\"Fingerprint\":\"0123456789abcdef0123456789abcdef01234567:config/f{}.env:aws-access-token:{}\"}}", i % 500 + 1, i % 500 + 1, i % 1000, i % 1000, i % 500 + 1).unwrap();
    })
}

pub fn kubernetes_yaml(target: usize) -> String {
    fill(target, "", "", |o, i| {
        write!(
            o,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i}\n  namespace: ns{}\ndata:\n  key: value-{i}\n",
            i % 10
        )
        .unwrap();
    })
}

pub fn kubernetes_workloads(target: usize) -> String {
    fill(target, "", "", |o, i| {
        write!(
            o,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels: {{app: app-{i}}}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: main\n          image: registry.example/app:{i}\n          ports: [{{containerPort: 8080}}]\n          resources: {{limits: {{cpu: 500m, memory: 128Mi}}}}\n        - name: sidecar\n          image: registry.example/proxy:1\n"
        )
        .unwrap();
    })
}

pub fn yaml_alias_bomb(_: usize) -> String {
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        writeln!(
            text,
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
        )
        .unwrap();
    }
    text
}

pub fn kubernetes_list(target: usize) -> String {
    fill(
        target,
        "apiVersion: v1\nkind: List\nitems:\n",
        "",
        |o, i| {
            write!(
            o,
            "  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: pod-{i}\n      namespace: ns{}\n    spec:\n      containers:\n        - name: main\n          image: registry.example/app:{i}\n",
            i % 10
        )
        .unwrap();
        },
    )
}

/// One long string, anchored once and aliased many times: few values,
/// many bytes.
pub fn yaml_long_alias(_: usize) -> String {
    let mut text = format!(
        "apiVersion: v1\nkind: ConfigMap\ns: &s {}\nlist: [",
        "x".repeat(100_000)
    );
    for i in 0..20_000 {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str("*s");
    }
    text.push_str("]\n");
    text
}

pub fn cloudformation_yaml(target: usize) -> String {
    fill(
        target,
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n",
        "",
        |o, i| {
            write!(
            o,
            "  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'bucket-{i}-${{AWS::Region}}'\n      Tags:\n        - Key: n\n          Value: !Ref Param\n"
        )
        .unwrap();
        },
    )
}

pub fn cloudformation_json(target: usize) -> String {
    fill(
        target,
        "{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Resources\":{",
        "}}",
        |o, i| {
            sep(o, i);
            write!(
                o,
                "\"Bucket{i}\":{{\"Type\":\"AWS::S3::Bucket\",\"Properties\":{{\"BucketName\":{{\"Fn::Sub\":\"bucket-{i}-${{AWS::Region}}\"}},\"Tags\":[{{\"Key\":\"n\",\"Value\":{{\"Ref\":\"Param\"}}}}]}}}}"
            )
            .unwrap();
        },
    )
}

pub fn kubernetes_json_list(target: usize) -> String {
    fill(
        target,
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"},\"items\":[",
        "]}",
        |o, i| {
            sep(o, i);
            write!(
                o,
                "{{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{{\"name\":\"app-{i}\",\"namespace\":\"ns{}\",\"labels\":{{\"app\":\"app-{i}\"}}}},\"spec\":{{\"replicas\":2,\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"main\",\"image\":\"registry.example/app:{i}\",\"ports\":[{{\"containerPort\":8080}}],\"resources\":{{\"limits\":{{\"cpu\":\"500m\",\"memory\":\"128Mi\"}}}}}}]}}}}}}}}",
                i % 10
            )
            .unwrap();
        },
    )
}

pub fn terraform_plan(target: usize) -> String {
    fill(
        target,
        "{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.0\",\"resource_changes\":[",
        "]}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"address\":\"aws_s3_bucket.b{i}\",\"mode\":\"managed\",\"type\":\"aws_s3_bucket\",\"name\":\"b{i}\",\"provider_name\":\"registry.terraform.io/hashicorp/aws\",\"change\":{{\"actions\":[\"create\"],\"before\":null,\"after\":{{\"bucket\":\"bucket-{i}\",\"force_destroy\":false,\"tags\":{{\"team\":\"t{}\"}}}},\"after_unknown\":{{\"arn\":true}}}}}}", i % 7).unwrap();
        },
    )
}

pub fn dockerfile(target: usize) -> String {
    fill(target, "FROM alpine:3.20 AS base\n", "", |o, i| {
        writeln!(o, "RUN echo step {i} && apk add --no-cache pkg{i}").unwrap();
    })
}

pub fn github_reviews(target: usize) -> String {
    fill(target, "[", "]", |o, i| {
        sep(o, i);
        write!(o, "{{\"id\":{i},\"user\":{{\"login\":\"user{}\",\"type\":\"User\"}},\"state\":\"APPROVED\",\"commit_id\":\"0123456789abcdef0123456789abcdef01234567\",\"submitted_at\":\"2025-01-01T00:00:00Z\",\"pull_request_url\":\"https://api.github.com/repos/o/r/pulls/1\",\"body\":\"looks good {i}\"}}", i % 1000).unwrap();
    })
}

/// A `pull_request` webhook payload with a long `requested_reviewers` list.
pub fn github_event(target: usize) -> String {
    fill(
        target,
        "{\"action\":\"review_requested\",\"number\":7,\"pull_request\":{\"number\":7,\"url\":\"https://api.github.com/repos/acme/app/pulls/7\",\"user\":{\"login\":\"alice\",\"id\":1,\"type\":\"User\"},\"created_at\":\"2024-03-01T09:00:00Z\",\"head\":{\"ref\":\"feature\",\"sha\":\"2222222222222222222222222222222222222222\"},\"base\":{\"ref\":\"main\",\"repo\":{\"full_name\":\"acme/app\"}},\"requested_teams\":[],\"requested_reviewers\":[",
        "]},\"repository\":{\"id\":9,\"full_name\":\"acme/app\"},\"sender\":{\"login\":\"alice\",\"id\":1}}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"login\":\"user{i}\",\"id\":{i},\"node_id\":\"MDQ6VXNlcjE=\",\"type\":\"User\",\"site_admin\":false,\"html_url\":\"https://github.com/user{i}\"}}").unwrap();
        },
    )
}

/// A GitLab merge request `approval_state` with many rules.
pub fn gitlab_approvals(target: usize) -> String {
    fill(
        target,
        "{\"approval_rules_overwritten\":false,\"rules\":[",
        "]}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"id\":{i},\"name\":\"rule {i}\",\"rule_type\":\"regular\",\"eligible_approvers\":[{{\"id\":{i},\"username\":\"user{i}\",\"name\":\"User {i}\",\"state\":\"active\"}}],\"approvals_required\":1,\"users\":[],\"groups\":[{{\"id\":{i},\"name\":\"g{i}\",\"full_path\":\"org/g{i}\"}}],\"contains_hidden_groups\":false,\"approved_by\":[{{\"id\":{i},\"username\":\"user{i}\",\"name\":\"User {i}\"}}],\"source_rule\":null,\"approved\":true}}").unwrap();
        },
    )
}

/// gate's own approvals format with many reviews and rules.
pub fn gate_approvals(target: usize) -> String {
    fill(
        target,
        "{\"kind\":\"gate.approvals/v1\",\"change\":{\"id\":\"acme/app#7\",\"author\":\"alice\",\"head_commit\":\"2222222222222222222222222222222222222222\",\"created_at\":\"2024-03-01T09:00:00Z\"},\"rules\":[{\"name\":\"owners\",\"required\":2,\"eligible\":[\"bob\",\"team-a\"]}],\"reviews\":[",
        "]}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"reviewer\":\"user{i}\",\"state\":\"approved\",\"submitted_at\":\"2024-03-01T12:00:00Z\",\"commit\":\"2222222222222222222222222222222222222222\",\"teams\":[\"team-{}\"]}}", i % 10).unwrap();
        },
    )
}

// ------------------------------------------------------------ performance

/// `go test -bench` with a huge `-count`: one benchmark, tiny lines.
pub fn go_bench_count(target: usize) -> String {
    fill(
        target,
        "goos: linux\npkg: example.org/p\n",
        "PASS\nok  \texample.org/p\t1.0s\n",
        |o, i| {
            writeln!(o, "BenchmarkA-2\t{}\t{}.5 ns/op", 1000 + i % 7, 40 + i % 9).unwrap();
        },
    )
}

/// `go test -bench` output of tiny lines of distinct benchmarks, several
/// units each: the most measurements per byte the format allows.
pub fn go_bench_distinct(target: usize) -> String {
    fill(target, "pkg: p\n", "PASS\nok  \tp\t1.0s\n", |o, i| {
        writeln!(o, "Benchmark{i} 1 1 a 1 b 1 c 1 d").unwrap();
    })
}

/// `go test -json` of a benchmark run, every result split over two events.
pub fn go_bench_json(target: usize) -> String {
    let ev = |o: &mut String, out: &str| {
        writeln!(o, "{{\"Time\":\"2026-12-01T10:00:00Z\",\"Action\":\"output\",\"Package\":\"example.org/p\",\"Output\":\"{out}\"}}").unwrap();
    };
    let mut head = String::new();
    ev(&mut head, "goos: linux\\n");
    ev(&mut head, "pkg: example.org/p\\n");
    let mut tail = String::new();
    ev(&mut tail, "PASS\\n");
    ev(&mut tail, "ok  \\texample.org/p\\t1.0s\\n");
    tail.push_str("{\"Time\":\"2026-12-01T10:00:01Z\",\"Action\":\"pass\",\"Package\":\"example.org/p\",\"Elapsed\":1}\n");
    fill(target, &head, &tail, |o, i| {
        ev(o, &format!("BenchmarkJoin/n={}-2   \\t", i % 100));
        ev(
            o,
            &format!(
                " 1000\\t {}.5 ns/op\\t 96 B/op\\t 1 allocs/op\\n",
                100 + i % 50
            ),
        );
    })
}

/// hyperfine `--export-json` with many results of 60 runs each.
pub fn hyperfine_json(target: usize) -> String {
    fill(target, "{\"results\":[", "]}", |o, i| {
        sep(o, i);
        write!(o, "{{\"command\":\"gzip -{} -c input{i}.log\",\"mean\":0.10{i},\"stddev\":0.0011,\"median\":0.105,\"user\":0.1,\"system\":0.004,\"min\":0.103,\"max\":0.107,\"times\":[", i % 9).unwrap();
        for r in 0..60 {
            sep(o, r);
            write!(o, "0.10{r}{i}").unwrap();
        }
        o.push_str("],\"exit_codes\":[0,0,0]}");
    })
}

/// hyperfine `--export-json` of tiny results: more than the budget allows.
pub fn hyperfine_tiny(target: usize) -> String {
    fill(target, "{\"results\":[", "]}", |o, i| {
        sep(o, i);
        write!(o, "{{\"command\":\"c{i}\",\"mean\":0.{i}}}").unwrap();
    })
}

/// hyperfine `--export-json` of one result with a huge `times` list of `0`.
pub fn hyperfine_times(target: usize) -> String {
    fill(
        target,
        "{\"results\":[{\"command\":\"c\",\"mean\":1,\"times\":[0",
        "]}]}",
        |o, _| {
            o.push_str(",0");
        },
    )
}

/// pytest-benchmark `--benchmark-json` with many benchmarks.
pub fn pytest_benchmark(target: usize) -> String {
    fill(
        target,
        "{\"machine_info\":{},\"benchmarks\":[",
        "],\"version\":\"5.1.0\"}",
        |o, i| {
            sep(o, i);
            write!(o, "{{\"name\":\"t{i}\",\"group\":null,\"params\":{{\"n\":{i}}},\"stats\":{{\"min\":0.1,\"max\":0.3,\"mean\":0.2,\"stddev\":0.01,\"rounds\":5,\"median\":0.2,\"q1\":0.15,\"q3\":0.25,\"ops\":5.0,\"data\":[").unwrap();
            for r in 0..300 {
                sep(o, r);
                write!(o, "0.000{r}{i}").unwrap();
            }
            o.push_str("]}}");
        },
    )
}

/// A Locust `_stats.csv` with many endpoints.
pub fn locust_stats(target: usize) -> String {
    fill(
        target,
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n",
        ",Aggregated,1,0,1,1.0,1.0,1.0,1.0,1.0,0.0,1,1,1,1,1,1,1,1,1,1,1\n",
        |o, i| {
            writeln!(
                o,
                "GET,/e{i},10,1,5,5.5,1.0,9.0,100.0,1.5,0.1,5,6,6,7,8,9,9,9,9,9,9"
            )
            .unwrap();
        },
    )
}

/// A Locust `_failures.csv` of tiny rows.
pub fn locust_failures(target: usize) -> String {
    fill(target, "Method,Name,Error,Occurrences\n", "", |o, i| {
        writeln!(o, "GET,/{i},e,1").unwrap();
    })
}

/// Locust `--json` stats with many endpoints, 300 histogram buckets each.
pub fn locust_json(target: usize) -> String {
    fill(target, "[", "]", |o, i| {
        sep(o, i);
        write!(o, "{{\"name\":\"/e{i}\",\"method\":\"GET\",\"num_requests\":3000,\"num_failures\":0,\"total_response_time\":50.0,\"min_response_time\":1.0,\"max_response_time\":9.0,\"start_time\":1.0,\"last_request_timestamp\":9.0,\"response_times\":{{").unwrap();
        for b in 0..300 {
            sep(o, b);
            write!(o, "\"{b}\":10").unwrap();
        }
        o.push_str("}}");
    })
}

/// A Locust `_stats_history.csv`: a row per second per endpoint.
pub fn locust_history(target: usize) -> String {
    fill(
        target,
        "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size\n",
        "",
        |o, i| {
            writeln!(o, "{},20,GET,/e{},40.500000,0.000000,5,6,7,7,9,10,13,16,37,1000,1000,{},0,5,6.163023573349597,1.3761039999735658,1018.2333069997185,76302.48347107437", 1796172413 + i / 8, i % 8, 1936 + i).unwrap();
        },
    )
}

/// A Lighthouse report with many tiny audits.
pub fn lighthouse(target: usize) -> String {
    fill(
        target,
        "{\"lighthouseVersion\":\"12.0.0\",\"categories\":{\"performance\":{\"score\":0.9}},\"audits\":{",
        "}}",
        |o, i| {
            sep(o, i);
            write!(o, "\"a{i}\":{{\"score\":1}}").unwrap();
        },
    )
}

// ------------------------------------------------------------ issue 13's big inputs

/// A JSON value that keeps its objects' keys in document order (serde_json's
/// `Value` sorts them without its `preserve_order` feature, and a scaled
/// report must keep its producer's order: readers take the order they meet).
#[derive(Clone, Debug)]
pub enum J {
    Null,
    Bool(bool),
    U(u64),
    I(i64),
    F(f64),
    S(String),
    A(Vec<J>),
    O(Vec<(String, J)>),
}

impl J {
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::O(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut J> {
        match self {
            J::O(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` where it is, or adds it last (as a Python dict does).
    pub fn set(&mut self, key: &str, value: J) {
        if let J::O(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }

    pub fn remove(&mut self, key: &str) {
        if let J::O(m) = self {
            m.retain(|(k, _)| k != key);
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            J::S(s) => Some(s),
            _ => None,
        }
    }

    pub fn items(&self) -> &[J] {
        match self {
            J::A(a) => a,
            _ => &[],
        }
    }

    pub fn items_mut(&mut self) -> &mut [J] {
        match self {
            J::A(a) => a,
            _ => &mut [],
        }
    }

    /// The value's text as Python's `json.dump` writes it by default
    /// (`", "` and `": "` between items, non-ASCII as `\uXXXX`).
    pub fn python_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonLayout);
        serde::Serialize::serialize(self, &mut ser).unwrap();
        out
    }

    /// Reads a JSON document (a UTF-8 BOM skipped, as `utf-8-sig` does).
    pub fn load(bytes: &[u8]) -> J {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        serde_json::from_slice(bytes).unwrap()
    }
}

impl<'de> serde::Deserialize<'de> for J {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = J;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<J, E> {
                Ok(J::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<J, E> {
                Ok(J::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<J, E> {
                Ok(J::U(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<J, E> {
                Ok(J::I(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<J, E> {
                Ok(J::F(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<J, E> {
                Ok(J::S(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(J::A(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, J>()? {
                    entries.push((k, v));
                }
                Ok(J::O(entries))
            }
        }
        d.deserialize_any(V)
    }
}

impl serde::Serialize for J {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            J::Null => s.serialize_unit(),
            J::Bool(b) => s.serialize_bool(*b),
            J::U(n) => s.serialize_u64(*n),
            J::I(n) => s.serialize_i64(*n),
            J::F(f) => s.serialize_f64(*f),
            J::S(t) => s.serialize_str(t),
            J::A(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            J::O(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Python's default `json.dump` layout for serde_json's serializer.
struct PythonLayout;

impl serde_json::ser::Formatter for PythonLayout {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// A SARIF log scaled to about `target` bytes the way issue 13's SARIF was
/// made (`shared/bench/make_big_sarif.py`): every run's results repeated
/// `k` times, `k` = `target` / the log's size (at least 1), each copy's
/// start lines moved on by 100 000 × its number and its producer
/// fingerprints dropped (so its findings' fingerprints are new), written
/// as Python writes JSON. The Semgrep OWASP-benchmark log at 48 MB gives
/// 90 168 results, 46.8 MB.
pub fn big_sarif(source: &[u8], target: usize) -> Vec<u8> {
    let mut log = J::load(source);
    let size = log.python_text().len().max(1);
    let k = (target / size).max(1);
    if let Some(runs) = log.get_mut("runs") {
        for run in runs.items_mut() {
            let base = run
                .get("results")
                .map(|r| r.items().to_vec())
                .unwrap_or_default();
            let mut all = Vec::with_capacity(base.len() * k);
            for i in 0..k {
                let shift = (i * 100_000) as u64;
                for r in &base {
                    let mut c = r.clone();
                    if let Some(locs) = c.get_mut("locations") {
                        for loc in locs.items_mut() {
                            let region = loc
                                .get_mut("physicalLocation")
                                .and_then(|p| p.get_mut("region"));
                            match region.and_then(|r| r.get_mut("startLine")) {
                                Some(J::U(n)) => *n += shift,
                                Some(J::I(n)) => *n += shift as i64,
                                Some(J::F(n)) => *n += shift as f64,
                                _ => {}
                            }
                        }
                    }
                    c.remove("fingerprints");
                    c.remove("partialFingerprints");
                    all.push(c);
                }
            }
            run.set("results", J::A(all));
        }
    }
    log.python_text()
}

/// A `terraform show -json` plan with `copies` copies of its resources
/// (`shared/bench/make_big_tfplan.py`): each resource change and planned
/// resource copied with `_N` added to its address and name, the
/// configuration (which names the originals) dropped, written as Python
/// writes JSON. `tags.json` × 200 gives 8.5 MB, 11 000 changes.
pub fn big_tfplan(source: &[u8], copies: usize) -> Vec<u8> {
    let mut plan = J::load(source);
    let copy = |items: &[J], out: &mut Vec<J>, i: usize| {
        for r in items {
            let mut c = r.clone();
            let address = r.get("address").and_then(J::str).unwrap_or_default();
            let name = r.get("name").and_then(J::str).unwrap_or("r");
            c.set("address", J::S(format!("{address}_{i}")));
            c.set("name", J::S(format!("{name}_{i}")));
            out.push(c);
        }
    };
    let changes = plan
        .get("resource_changes")
        .map(|r| r.items().to_vec())
        .unwrap_or_default();
    let resources = plan
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
        .and_then(|m| m.get("resources"))
        .map(|r| r.items().to_vec())
        .unwrap_or_default();
    let (mut new_changes, mut new_resources) = (Vec::new(), Vec::new());
    for i in 0..copies {
        copy(&changes, &mut new_changes, i);
        copy(&resources, &mut new_resources, i);
    }
    plan.set("resource_changes", J::A(new_changes));
    let root = plan
        .get_mut("planned_values")
        .and_then(|p| p.get_mut("root_module"));
    if let Some(m) = root.filter(|_| !resources.is_empty()) {
        m.set("resources", J::A(new_resources));
    }
    plan.remove("configuration");
    plan.python_text()
}

/// The corpus files issue 13's inputs are made from.
pub const SEMGREP_SARIF: &str = "security/sarif/semgrep/semgrep-0.17-owasp-benchmark.sarif";
pub const TAGS_PLAN: &str = "iac/terraform-plan/checkov/tags.json";

/// JUnit XML as Surefire writes it: suites of 40 test cases, one in ten
/// failing with a message and a stack trace, one in twenty skipped, every
/// tenth with captured output (not kept by the parser).
pub fn junit(target: usize) -> String {
    fill(
        target,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bench\">\n",
        "</testsuites>\n",
        |o, i| {
            writeln!(
                o,
                "<testsuite name=\"com.example.pkg{}.Suite{i}Test\" tests=\"40\" time=\"1.5\">",
                i % 50
            )
            .unwrap();
            for t in 0..40 {
                write!(
                    o,
                    "  <testcase name=\"case{t}[param &amp; {i}]\" classname=\"com.example.pkg{}.Suite{i}Test\" time=\"0.0{t}\"",
                    i % 50
                )
                .unwrap();
                if t % 10 == 3 {
                    write!(o, ">\n    <failure message=\"expected: &lt;{t}&gt; but was: &lt;{}&gt;\" type=\"org.opentest4j.AssertionFailedError\"><![CDATA[org.opentest4j.AssertionFailedError: expected <{t}>\n\tat com.example.Suite{i}Test.case{t}(Suite{i}Test.java:{})\n\tat java.base/java.lang.reflect.Method.invoke(Method.java:568)\n]]></failure>\n  </testcase>\n", t + 1, t * 3 + 10).unwrap();
                } else if t % 20 == 7 {
                    o.push_str(">\n    <skipped message=\"disabled\"/>\n  </testcase>\n");
                } else if t % 10 == 5 {
                    write!(o, ">\n    <system-out><![CDATA[log line one of {i}/{t}\nlog line two\n]]></system-out>\n  </testcase>\n").unwrap();
                } else {
                    o.push_str("/>\n");
                }
            }
            o.push_str("</testsuite>\n");
        },
    )
}

/// `go test -json`: packages of 30 tests with output, one subtest each.
pub fn go_test_json(target: usize) -> String {
    let ev = |o: &mut String, pkg: usize, action: &str, test: &str, extra: &str| {
        writeln!(
            o,
            "{{\"Time\":\"2026-12-02T00:49:51.853485458Z\",\"Action\":\"{action}\",\"Package\":\"example.com/bench/pkg{pkg}\"{test}{extra}}}"
        )
        .unwrap();
    };
    fill(target, "", "", |o, i| {
        for t in 0..30 {
            let name = format!(",\"Test\":\"TestCase{t}/sub_{i}\"");
            ev(o, i, "run", &name, "");
            ev(
                o,
                i,
                "output",
                &name,
                &format!(",\"Output\":\"=== RUN   TestCase{t}/sub_{i}\\n\""),
            );
            ev(
                o,
                i,
                "output",
                &name,
                ",\"Output\":\"    x_test.go:12: checking\\n\"",
            );
            let action = if t % 10 == 3 { "fail" } else { "pass" };
            ev(o, i, action, &name, ",\"Elapsed\":0.01");
        }
        ev(o, i, "output", "", ",\"Output\":\"FAIL\\n\"");
        ev(o, i, "fail", "", ",\"Elapsed\":0.3");
    })
}

/// TAP as node writes it: suites of 20 tests with YAML blocks.
pub fn tap(target: usize) -> String {
    let mut n = 0;
    let mut out = fill(target, "TAP version 13\n", "", |o, i| {
        n += 1;
        writeln!(o, "# Subtest: suite {i}").unwrap();
        for t in 1..=20 {
            let ok = if t % 10 == 3 { "not ok" } else { "ok" };
            writeln!(o, "    # Subtest: test {t} of {i}\n    {ok} {t} - test {t} of {i}\n      ---\n      duration_ms: 0.{t}\n      location: '/build/test/s{i}.test.js:{t}:3'").unwrap();
            if t % 10 == 3 {
                o.push_str(
                    "      error: |-\n        expected 1 to equal 2\n        at the assertion\n",
                );
            }
            o.push_str("      ...\n");
        }
        writeln!(
            o,
            "    1..20\nnot ok {} - suite {i}\n  ---\n  duration_ms: 3.5\n  type: 'suite'\n  ...",
            i + 1
        )
        .unwrap();
    });
    writeln!(out, "1..{n}").unwrap();
    out
}

/// CTRF JSON: tests with suites, some failing with messages.
pub fn ctrf(target: usize) -> String {
    fill(
        target,
        "{\"reportFormat\":\"CTRF\",\"results\":{\"tool\":{\"name\":\"bench\"},\"tests\":[",
        "]}}",
        |o, i| {
            sep(o, i);
            let (status, msg) = if i % 10 == 3 {
                (
                    "failed",
                    ",\"message\":\"expected 1 to be 2\",\"trace\":\"at x.test.js:3\"",
                )
            } else {
                ("passed", "")
            };
            write!(
                o,
                "{{\"name\":\"suite {} test {i}\",\"status\":\"{status}\",\"duration\":{},\"suite\":\"s{}.test.js > suite {}\",\"filePath\":\"test/s{}.test.js\",\"retries\":0,\"flaky\":false{msg}}}",
                i / 40,
                i % 97,
                i / 40,
                i / 40,
                i / 40
            )
            .unwrap();
        },
    )
}

/// libtest JSON lines: binaries of 50 tests.
pub fn libtest_json(target: usize) -> String {
    fill(target, "", "", |o, i| {
        writeln!(
            o,
            "{{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 50 }}"
        )
        .unwrap();
        for t in 0..50 {
            writeln!(o, "{{ \"type\": \"test\", \"event\": \"started\", \"name\": \"m{i}::tests::case_{t}\" }}").unwrap();
            if t % 10 == 3 {
                writeln!(o, "{{ \"type\": \"test\", \"name\": \"m{i}::tests::case_{t}\", \"event\": \"failed\", \"exec_time\": 0.001, \"stdout\": \"thread 'm{i}::tests::case_{t}' panicked at src/lib.rs:{t}:5:\\nassertion failed\\n\" }}").unwrap();
            } else {
                writeln!(o, "{{ \"type\": \"test\", \"name\": \"m{i}::tests::case_{t}\", \"event\": \"ok\", \"exec_time\": 0.001 }}").unwrap();
            }
        }
        writeln!(o, "{{ \"type\": \"suite\", \"event\": \"failed\", \"passed\": 45, \"failed\": 5, \"ignored\": 0, \"measured\": 0, \"filtered_out\": 0, \"exec_time\": 0.1 }}").unwrap();
    })
}

/// A Prometheus `query_range` answer as a per-pod p95 query gives it (a
/// matrix): series of 240 samples (an hour at 15 s), labelled like
/// kube-state metrics, alternately the canary's and the stable track's,
/// values strings as the API writes them (a few `NaN`).
pub fn prometheus_range(target: usize) -> String {
    fill(
        target,
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[",
        "]}}\n",
        |o, i| {
            sep(o, i);
            let track = if i % 2 == 0 { "canary" } else { "stable" };
            write!(
                o,
                "{{\"metric\":{{\"app\":\"web\",\"container\":\"web\",\"instance\":\"10.{}.{}.{}:8080\",\"job\":\"kubernetes-pods\",\"namespace\":\"shop\",\"pod\":\"web-{track}-7d9f{i:06x}\",\"track\":\"{track}\"}},\"values\":[",
                i / 65536 % 256,
                i / 256 % 256,
                i % 256
            )
            .unwrap();
            for s in 0..240u64 {
                sep(o, s as usize);
                let t = 1_796_166_420 + s * 15;
                if (i as u64 + s).is_multiple_of(97) {
                    write!(o, "[{t},\"NaN\"]").unwrap();
                } else {
                    let v = 0.12 + ((i as u64 * 31 + s * 17) % 1000) as f64 / 25_000.0;
                    write!(o, "[{t}.{:03},\"{v}\"]", s % 1000).unwrap();
                }
            }
            o.push_str("]}");
        },
    )
}
