"""The known-answer vectors the Java tests read too (events/src/test/resources/vectors), checked by
an independent Python implementation of the documented byte layouts: the version digest a reader
of the store computes, and the signature any producer of model events must send."""
import base64
import hashlib
import hmac
import json
import os
import pathlib

import pytest

VECTORS = pathlib.Path(__file__).resolve().parents[2] / "events/src/test/resources/vectors"


def load(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def tree_digest(root: pathlib.Path) -> str:
    """SHA-256 over the regular files sorted by whole relative path ('/'-separated): per file its
    UTF-8 path, a 0 byte, its size as 8 big-endian bytes, its contents."""
    names = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            full = pathlib.Path(dirpath) / f
            if full.is_file() and not full.is_symlink():
                names.append(full.relative_to(root).as_posix())
    tree = hashlib.sha256()
    for name in sorted(names):
        data = (root / name).read_bytes()
        tree.update(name.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big"))
        tree.update(data)
    return "sha256:" + tree.hexdigest()


def mac_input(id_, type_, subject, data) -> bytes:
    out = b"modelsync-sig-v1"
    for field in (id_, type_, subject):
        raw = (field or "").encode("utf-8")
        out += len(raw).to_bytes(4, "big") + raw
    return out + (data or "").encode("utf-8")


def signature(key: str, message: bytes) -> str:
    mac = hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


@pytest.mark.parametrize("case", load("tree-digest.json")["cases"], ids=lambda c: c["name"])
def test_tree_digest(case, tmp_path):
    root = tmp_path / "v"
    root.mkdir()
    for f in case["files"]:
        path = root / f["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes.fromhex(f["hex"]) if "hex" in f else f["utf8"].encode("utf-8"))
    assert sorted(f["path"] for f in case["files"]) == case["order"]
    assert tree_digest(root) == case["digest"]


@pytest.mark.parametrize("case", load("signature.json")["cases"], ids=lambda c: c["name"])
def test_signature(case):
    message = mac_input(case["id"], case["type"], case["subject"], case["data"])
    assert message.hex() == case["mac_input_hex"]
    assert signature(load("signature.json")["key"], message) == case["signature"]


def test_wire_event_signature():
    vectors = load("signature.json")
    wire = vectors["wire"]
    event = json.loads(wire["event"])
    compact = json.dumps(event["data"], separators=(",", ":"), ensure_ascii=False)
    assert compact == wire["signed_data"]
    message = mac_input(event["id"], event["type"], event.get("subject"), compact)
    assert signature(vectors["key"], message) == event["modelsyncsig"] == wire["signature"]
