#!/usr/bin/env python3
"""Evaluate Rego the way conftest does, with the real OPA engine (Go).

usage: conftest_opa.py CASE.json  → prints the results as JSON on stdout

CASE.json: {"modules": [{"path", "source"}], "data": [object, ...],
            "documents": [{"path", "line", "input"}], "namespaces": [..] or null (all),
            "combine": false}
Output: a sorted list of [path, line, namespace, rule, kind, msg, extra] where kind is
"failure" or "warning" and extra the message object's fields other than msg (or null),
plus {"exceptions": [[path, line, namespace, rule], ...]}.

OPA comes from PyPI's opa-golib-python-bindings wheel (libopabridge.so, OPA's Go engine),
unpacked at $OPA_BINDINGS and loaded with ctypes. conftest's rules as this script applies them:
rules ^(deny|violation)(_[a-zA-Z0-9]+)*$ and ^warn(_[a-zA-Z0-9]+)*$ of each namespace; an
exception `data.NS.exception[_][_] == NAME` (NAME without the deny_/violation_/warn_ prefix, "" for
the bare names) drops the rule's messages; data.conftest.file = {name, dir} per document.
"""
import json, os, re, sys

sys.path.insert(0, os.environ["OPA_BINDINGS"])
from opa_bindings.engine import OpaEngine, OpaUndefinedError  # noqa: E402

FAILURE = re.compile(r"^(deny|violation)(_[a-zA-Z0-9]+)*$")
WARNING = re.compile(r"^warn(_[a-zA-Z0-9]+)*$")


def exception_name(rule):
    if rule in ("deny", "violation", "warn"):
        return ""
    for p in ("violation_", "deny_", "warn_"):
        if rule.startswith(p):
            return rule[len(p):]
    return rule


def engine(case, path):
    e = OpaEngine()
    for m in case["modules"]:
        e.add_policy(m["path"], m["source"])
    for d in case.get("data", []):
        e.add_data(d)
    d, _, n = path.rpartition("/")
    e.add_data({"file": {"name": n, "dir": d or "."}}, "conftest")
    return e


def packages(case):
    out = []
    for m in case["modules"]:
        match = re.search(r"^package\s+([\w.]+)", m["source"], re.M)
        if match and match.group(1) not in out:
            out.append(match.group(1))
    return out


def check(case, path, line, value, namespaces, results, exceptions):
    e = engine(case, path)
    for ns in namespaces:
        try:
            doc = e.eval_document(ns, value)
        except OpaUndefinedError:
            continue
        for rule in sorted(doc):
            kind = "failure" if FAILURE.match(rule) else "warning" if WARNING.match(rule) else None
            if kind is None:
                continue
            q = "data.%s.exception[_][_] == %s" % (ns, json.dumps(exception_name(rule)))
            if e.eval_query(q, value):
                exceptions.append([path, line, ns, rule])
                continue
            try:
                msgs = e.eval_document("%s.%s" % (ns, rule), value)
            except OpaUndefinedError:
                continue
            for m in msgs:
                if isinstance(m, str):
                    results.append([path, line, ns, rule, kind, m, None])
                elif isinstance(m, dict):
                    extra = {k: v for k, v in m.items() if k != "msg"}
                    results.append([path, line, ns, rule, kind, m["msg"], extra or None])


def main():
    case = json.load(open(sys.argv[1]))
    namespaces = case.get("namespaces") or packages(case)
    results, exceptions = [], []
    docs = case["documents"]
    if case.get("combine"):
        combined = [{"path": d["path"], "contents": d["input"]}
                    for d in sorted(docs, key=lambda d: d["path"])]
        check(case, "Combined", None, combined, namespaces, results, exceptions)
    else:
        for d in docs:
            check(case, d["path"], d.get("line"), d["input"], namespaces, results, exceptions)
    key = lambda r: json.dumps(r, sort_keys=True)
    print(json.dumps({"results": sorted(results, key=key),
                      "exceptions": sorted(exceptions, key=key)}, sort_keys=True))


main()
