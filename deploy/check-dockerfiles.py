"""Static checks of the Dockerfiles for what only a real build showed (deploy/compose-smoke.sh):
  - a COPY naming a file the build context lacks fails the build;
  - a base image written into FROM cannot be replaced by a local one where no registry can be
    reached: every FROM must name a build ARG (whose default is the real image) or a stage.
Run from the repository root (notebook-image/check.sh does). Exits 1 naming each failure."""
import glob
import pathlib
import re
import sys

CONTEXTS = {"agent/Dockerfile": ".", "api/Dockerfile": ".", "notebook-image/Dockerfile": "notebook-image"}


def check(dockerfile, context):
    failures = []
    text = pathlib.Path(dockerfile).read_text().replace("\\\n", " ")
    args = dict(re.findall(r"(?m)^ARG\s+([A-Za-z_]+)=(\S+)", text))
    stages = set(re.findall(r"(?mi)^FROM\s+\S+\s+AS\s+(\S+)", text))
    for image in re.findall(r"(?m)^FROM\s+(\S+)", text):
        m = re.fullmatch(r"\$\{?([A-Za-z_]+)\}?", image)
        if not (m and m.group(1) in args) and image not in stages:
            failures.append(f"{dockerfile}: FROM {image} is neither a build ARG with a default nor a stage")
    for line in re.findall(r"(?m)^COPY\s+(.*)$", text):
        if "--from=" in line:
            continue
        words = [w for w in line.split() if not w.startswith("--")]
        sources = words[:-1]
        matched = [s for s in sources if glob.glob(f"{context}/{s}")]
        for s in sources:
            if not any(c in s for c in "*?[") and s not in matched:
                failures.append(f"{dockerfile}: COPY {s}: no such file in the build context {context}/")
        if sources and not matched:
            failures.append(f"{dockerfile}: COPY {line}: nothing in {context}/ matches")
    return failures


def main():
    failures = []
    for dockerfile, context in CONTEXTS.items():
        failures += check(dockerfile, context)
        print(f"{dockerfile}: FROM and COPY sources checked")
    if failures:
        print("\n".join("FAIL " + f for f in failures))
        sys.exit(1)


main()
