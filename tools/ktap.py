"""ktap.py: a small KTAP (version 1) reader shared by the test and bench tools.

parse(text) reads KTAP lines out of a console log (anything that is not KTAP,
such as firmware or kernel messages, is ignored) and returns a Report: the
leaf results (tests without subtests), and problems: plans that were not
met (missing results) and subtests whose parent line never came.
"""
import re
from dataclasses import dataclass, field

RESULT = re.compile(r"^(?P<indent> *)(?P<ok>ok|not ok) (?P<num>\d+) ?(?P<name>[^#]*?)\s*(#\s*(?P<directive>.*))?$")
PLAN = re.compile(r"^(?P<indent> *)1\.\.(?P<n>\d+)\s*$")
VERSION = re.compile(r"^(?P<indent> *)KTAP version 1\s*$")


@dataclass
class Leaf:
    path: str
    ok: bool
    directive: str = ""

    @property
    def skipped(self):
        return self.directive.upper().startswith("SKIP")


@dataclass
class Report:
    leaves: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def passed(self):
        return sum(1 for l in self.leaves if l.ok and not l.skipped)

    @property
    def skipped(self):
        return sum(1 for l in self.leaves if l.skipped)

    @property
    def failed(self):
        return sum(1 for l in self.leaves if not l.ok) + len(self.problems)


def parse(text, prefix=""):
    """Parse KTAP from text; leaves are named prefix/subtest/.../test."""
    rep = Report()
    levels = {}            # depth -> {"plan": int|None, "results": [...]}
    names = {0: prefix}    # depth -> name of the (sub)test running at that depth

    def close(d):
        """Check depth d (and anything deeper) against its plan, collect leaves."""
        for sub in sorted((k for k in levels if k > d), reverse=True):
            close(sub)
        lv = levels.pop(d, None)
        if lv is None:
            return
        owner = names.get(d, prefix) or "(top)"
        if lv["plan"] is None:
            if lv["results"]:
                rep.problems.append(f"{owner}: results without a plan")
        elif len(lv["results"]) < lv["plan"]:
            rep.problems.append(f"{owner}: {lv['plan'] - len(lv['results'])} of "
                                f"{lv['plan']} results missing")
        for name, ok, directive, is_parent in lv["results"]:
            if not is_parent:
                rep.leaves.append(Leaf(f"{names.get(d, prefix)}/{name}".strip("/"), ok, directive))

    for raw in text.splitlines():
        line = raw.rstrip("\r")
        m = VERSION.match(line)
        if m:
            d = len(m["indent"]) // 4
            close(d)
            levels[d] = {"plan": None, "results": []}
            continue
        m = re.match(r"^(?P<indent> *)# Subtest: (?P<name>.*)$", line)
        if m:
            d = len(m["indent"]) // 4
            names[d] = f"{names.get(d - 1, prefix)}/{m['name'].strip()}".strip("/")
            continue
        m = PLAN.match(line)
        if m and len(m["indent"]) // 4 in levels:
            levels[len(m["indent"]) // 4]["plan"] = int(m["n"])
            continue
        m = RESULT.match(line)
        if m and len(m["indent"]) // 4 in levels:
            d = len(m["indent"]) // 4
            is_parent = (d + 1) in levels
            if is_parent:
                close(d + 1)
            levels[d]["results"].append((m["name"].strip(), m["ok"] == "ok",
                                         m["directive"] or "", is_parent))
    if levels:
        close(min(levels))
    return rep
