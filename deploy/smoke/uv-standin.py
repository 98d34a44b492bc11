#!/usr/bin/env python3
"""A STAND-IN for uv, made by deploy/compose-smoke.sh because no registry here serves uv.

It does only what notebook-image/Dockerfile asks of uv, with venv and pip:
  uv lock                      -> nothing to do (there is no resolver; sync installs from pyproject.toml)
  uv sync [--extra E] [--group G] [--no-install-project] [--no-dev] [--no-editable] [--frozen]
                               -> a venv at $UV_PROJECT_ENVIRONMENT, pip installs the project's
                                  dependencies, extras and groups, then the project (not editable)
  uv run [--frozen] [--no-sync] [--project P] -- CMD...
                               -> exec CMD with the venv first on PATH
Packages that [tool.uv.sources] takes from a named index (torch from the CPU index) come from the
local wheel folder STANDIN_WHEELS; everything else from the local indexes in STANDIN_INDEXES. Names
in STANDIN_SKIP are left out, each named in the log (the local index lacks them)."""
import os
import re
import subprocess
import sys
import tomllib

INDEXES = os.environ.get("STANDIN_INDEXES", "file:///opt/pypi/simple file:///opt/pypi-more/simple").split()
WHEELS = os.environ.get("STANDIN_WHEELS", "/opt/wheels")
SKIP = set(os.environ.get("STANDIN_SKIP", "skl2onnx").split())


def name_of(requirement):
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pip(venv, args):
    cmd = [f"{venv}/bin/pip", "install", "--disable-pip-version-check", "--retries", "0", *args]
    print("uv stand-in:", " ".join(cmd), flush=True)
    # pip's cache goes where the Dockerfile's cache mount puts uv's, not into the image.
    env = dict(os.environ, PIP_CACHE_DIR=os.environ.get("UV_CACHE_DIR", "/tmp/pip-cache"))
    subprocess.run(cmd, check=True, env=env)


def sync(args):
    extras, groups, flags = [], [], set()
    it = iter(args)
    for a in it:
        if a == "--extra":
            extras.append(next(it))
        elif a == "--group":
            groups.append(next(it))
        else:
            flags.add(a)
    project = tomllib.load(open("pyproject.toml", "rb"))
    meta = project["project"]
    reqs = list(meta.get("dependencies", []))
    for e in extras:
        reqs += meta["optional-dependencies"][e]
    for g in groups:
        reqs += [r for r in project["dependency-groups"][g] if isinstance(r, str)]
    if "--no-dev" not in flags and "dev" in project.get("dependency-groups", {}):
        reqs += project["dependency-groups"]["dev"]
    skipped = sorted({name_of(r) for r in reqs} & SKIP)
    if skipped:
        print(f"uv stand-in: leaving out {skipped} (not in the local package index)", flush=True)
    reqs = [r for r in dict.fromkeys(reqs) if name_of(r) not in SKIP]
    pinned = set(project.get("tool", {}).get("uv", {}).get("sources", {}))
    venv = os.environ.get("UV_PROJECT_ENVIRONMENT", ".venv")
    if not os.path.exists(f"{venv}/bin/python"):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    index_args = ["--index-url", INDEXES[0]] + [a for i in INDEXES[1:] for a in ("--extra-index-url", i)]
    index_args += ["--find-links", WHEELS]
    # A package pinned to a named index (torch -> the CPU index) is held to the version of its
    # wheel in WHEELS, the local copy of that index; its own dependencies come from the indexes.
    constraints = []
    for wheel in sorted(os.listdir(WHEELS)) if os.path.isdir(WHEELS) else []:
        parts = wheel.split("-")
        if wheel.endswith(".whl") and parts[0].lower().replace("_", "-") in pinned:
            constraints.append(f"{parts[0]}=={parts[1]}")
    if constraints:
        with open("/tmp/uv-standin-constraints.txt", "w") as f:
            f.write("\n".join(constraints) + "\n")
        index_args += ["--constraint", "/tmp/uv-standin-constraints.txt"]
    pip(venv, [*index_args, *reqs])
    if "--no-install-project" not in flags:
        pip(venv, [*index_args, "--no-deps", "."])


def run(args):
    if "--" in args:
        args = args[args.index("--") + 1:]
    venv = os.environ.get("UV_PROJECT_ENVIRONMENT", ".venv")
    env = dict(os.environ, VIRTUAL_ENV=venv, PATH=f"{venv}/bin:" + os.environ.get("PATH", ""))
    os.execvpe(args[0], args, env)


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "lock":
        print("uv stand-in: lock is a no-op (sync installs from pyproject.toml with pip)")
    elif command == "sync":
        sync(argv[2:])
    elif command == "run":
        run(argv[2:])
    else:
        sys.exit(f"uv stand-in: '{command}' is not one of the commands it provides (lock, sync, run)")


main(sys.argv)
