#!/usr/bin/env python3
"""Host-side tests of tools/ktap.py, the parser every test verdict goes through.
Prints KTAP."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import ktap  # noqa: E402

NESTED = """U-Boot noise
KTAP version 1
1..2
    KTAP version 1
    # Subtest: a
    1..2
    ok 1 x
    not ok 2 y # reason
ok 1 a
[aegis] kernel noise
    KTAP version 1
    # Subtest: b
    1..1
    ok 1 z
ok 2 b
"""

cases = []


def case(fn):
    cases.append(fn)
    return fn


@case
def nested_leaves_counted():
    r = ktap.parse(NESTED)
    return r.passed == 2 and r.failed == 1 and not r.problems and \
        [l.path for l in r.leaves] == ["a/x", "a/y", "b/z"]


@case
def missing_results_fail():
    r = ktap.parse("KTAP version 1\n1..3\nok 1 a\n")
    return r.passed == 1 and r.failed == 1 and "2 of 3" in r.problems[0]


@case
def truncated_subtest_fails():
    # The run died inside a subtest: its missing results and the parent's count.
    r = ktap.parse("KTAP version 1\n1..2\n    KTAP version 1\n    1..4\n    ok 1 a\n")
    return r.passed == 1 and len(r.problems) == 2


@case
def skip_is_not_pass():
    r = ktap.parse("KTAP version 1\n1..2\nok 1 a # SKIP no fpu\nok 2 b\n")
    return r.passed == 1 and r.skipped == 1 and r.failed == 0


@case
def empty_output_has_no_results():
    r = ktap.parse("nothing here\n")
    return r.passed == 0 and not r.leaves


@case
def results_without_plan_fail():
    r = ktap.parse("KTAP version 1\nok 1 a\n")
    return r.failed == 1


print("KTAP version 1")
print(f"1..{len(cases)}")
bad = 0
for i, fn in enumerate(cases, 1):
    try:
        ok = fn()
    except Exception as e:  # a crash is a failure, reported
        print(f"# {fn.__name__}: {e!r}")
        ok = False
    bad += not ok
    print(f"{'ok' if ok else 'not ok'} {i} {fn.__name__}")
sys.exit(1 if bad else 0)
