#!/usr/bin/env python3
"""One OPA evaluation as a whole process, for the peer benchmark (`benches/peers/run`).

usage: opa_run.py LIBOPABRIDGE.so POLICY.rego QUERY INPUT.json

Loads the real OPA engine (Go, built as a C shared library in PyPI's
opa-golib-python-bindings wheel) with ctypes, adds the policy, hands it the
input file's bytes (OPA parses the JSON itself) and evaluates the query once.
Prints one JSON line: {"eval_s": seconds spent in the evaluation call,
"summary": ...} where the summary is the number of elements of a set/list
result, or the object itself (SARIF counts). Any error exits non-zero.
"""

import ctypes
import json
import sys
import time


def main() -> int:
    lib_path, policy, query, input_path = sys.argv[1:5]
    lib = ctypes.CDLL(lib_path)
    lib.OpaNew.restype = ctypes.c_uint64
    lib.OpaNew.argtypes = []
    lib.OpaFreeString.restype = None
    lib.OpaFreeString.argtypes = [ctypes.c_void_p]
    # The fallible calls return a malloc'd JSON envelope we must free.
    lib.OpaAddPolicy.restype = ctypes.c_void_p
    lib.OpaAddPolicy.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p]
    lib.OpaEvalQuery.restype = ctypes.c_void_p
    lib.OpaEvalQuery.argtypes = [
        ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
    ]

    def envelope(ptr):
        if not ptr:
            sys.exit("opa: native call returned NULL")
        try:
            env = json.loads(ctypes.string_at(ptr))
        finally:
            lib.OpaFreeString(ptr)
        if env.get("error"):
            sys.exit(f"opa: {env['error']}")
        return env

    handle = lib.OpaNew()
    with open(policy, "rb") as f:
        envelope(lib.OpaAddPolicy(handle, policy.encode(), f.read()))
    with open(input_path, "rb") as f:
        text = f.read()
    start = time.perf_counter()
    env = envelope(lib.OpaEvalQuery(handle, query.encode(), text, 0, 0))
    eval_s = time.perf_counter() - start

    results = env.get("result") or []
    if not results or not results[0].get("expressions"):
        sys.exit(f"opa: {query} is undefined")
    value = results[0]["expressions"][0]["value"]
    summary = len(value) if isinstance(value, list) else value
    print(json.dumps({"eval_s": eval_s, "summary": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
