"""Adds the settings Podman needs on this kind of machine to containers.conf, only where the
file does not set them already (any value the owner chose is kept). Prints what it added.
Usage: containers-conf.py FILE"""
import pathlib
import re
import sys

# crun fails on this kernel's cgroup layout, and the default ulimits cannot be set here.
NEEDED = [("containers", "default_ulimits", "[]"),
          ("engine", "runtime", '"runc"'),
          ("engine", "cgroup_manager", '"cgroupfs"')]

path = pathlib.Path(sys.argv[1])
lines = path.read_text().splitlines() if path.exists() else []


def section_of(index):
    for line in reversed(lines[:index + 1]):
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            return m.group(1).strip()
    return None


added = []
for section, key, value in NEEDED:
    if any(re.match(rf"\s*{key}\s*=", line) and section_of(i) == section
           for i, line in enumerate(lines)):
        continue
    header = next((i for i, line in enumerate(lines)
                   if re.match(rf"\s*\[{section}\]\s*$", line)), None)
    if header is None:
        lines += ["", f"[{section}]"]
        header = len(lines) - 1
    lines.insert(header + 1, f"{key} = {value}")
    added.append(f"[{section}] {key} = {value}")

if added:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
print("containers.conf: " + ("added " + "; ".join(added) if added else "already set"))
