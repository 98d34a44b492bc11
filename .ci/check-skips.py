#!/usr/bin/env python3
"""Fails when a test was skipped that .ci/allowed-skips.txt does not allow.

Reads JUnit XML reports (Surefire's and Failsafe's TEST-*.xml, pytest's --junitxml) from the
files and directories given; every <testcase> with a <skipped> child must match a pattern in the
allow-list (fnmatch over "classname::name"). A skip is how a test says "I could not check this
here": in CI, where every tool is installed, an unexpected one hides a check that never ran.
Usage: check-skips.py [--allow FILE] REPORT_OR_DIR...
"""
import fnmatch
import pathlib
import sys
import xml.etree.ElementTree as ET


def allowed_patterns(path):
    patterns = []
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        pattern = line.split("#", 1)[0].strip()
        if pattern:
            patterns.append(pattern)
    return patterns


def reports(args):
    for arg in args:
        p = pathlib.Path(arg)
        if p.is_dir():
            yield from sorted(p.glob("**/TEST-*.xml"))
        elif p.is_file():
            yield p


def main(argv):
    allow = pathlib.Path(__file__).with_name("allowed-skips.txt")
    if len(argv) > 1 and argv[0] == "--allow":
        allow, argv = pathlib.Path(argv[1]), argv[2:]
    patterns = allowed_patterns(allow)
    files = list(reports(argv))
    if not files:
        print("check-skips: no test reports found in " + " ".join(argv), file=sys.stderr)
        return 1
    ran = allowed = 0
    unexpected = []
    for f in files:
        for case in ET.parse(f).getroot().iter("testcase"):
            ran += 1
            skipped = case.find("skipped")
            if skipped is None:
                continue
            test = f"{case.get('classname')}::{case.get('name')}"
            if any(fnmatch.fnmatchcase(test, p) for p in patterns):
                allowed += 1
            else:
                unexpected.append(f"{test}: {skipped.get('message') or skipped.text or ''}".strip())
    print(f"check-skips: {ran} test cases in {len(files)} reports, {allowed} allowed skips,"
          f" {len(unexpected)} unexpected")
    for u in unexpected:
        print("UNEXPECTED SKIP " + u)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
