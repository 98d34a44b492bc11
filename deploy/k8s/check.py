#!/usr/bin/env python3
"""Static check of the Kubernetes manifests in deploy/k8s (no cluster needed).

    python3 deploy/k8s/check.py            # from anywhere; needs PyYAML

Checks:
  * every *.yaml here parses (multi-document) and has an expected kind/apiVersion; the
    kustomization lists every manifest (secret.example.yaml excepted) and sets a tag for each
    modelsync image;
  * every variable the agent and api containers get (env, envFrom ConfigMaps, secretKeyRefs) is one
    their Java config declares (deploy/options.json, made from AgentConfig/ApiOptions.OPTIONS), a
    KAFKA_* client property, or a JVM/DJL variable; required options
    are all set;
  * the api listens on every pod address (MODELSYNC_HOST unset, 0.0.0.0 or ::);
  * probes: api readiness /v2/health/ready and liveness /v2/health/live on 8080, the agent on 8081,
    ports equal to the configured MODELSYNC_PORT / MODELSYNC_AGENT_PORT; the api's gRPC port 8001
    (MODELSYNC_GRPC_PORT) declared; Services reach them (modelsync-api on 8080 and 8001);
  * volumes: the notebook writes the models volume the agent mounts read-only in the same pod, the
    agent writes its store, the api mounts its store read-only and a writable cache for the
    versions it fetches from MODELSYNC_ARTIFACT_BASE_URL (the agent Service); non-root, no privilege escalation,
    read-only root fs and resource limits for the agent and api.
  * if kubectl is on PATH: `kubectl kustomize` renders the base (skipped, and said so, otherwise).

Prints one summary line (after any FAIL lines) and exits 1 on a problem.
"""
import pathlib
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    print("k8s check: FAILED - PyYAML is missing (pip install pyyaml)")
    sys.exit(1)

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
JAVA = ("agent", "api")
IMAGES = {"modelsync/agent": "agent", "modelsync/api": "api", "modelsync/notebook": "notebook"}
API_VERSIONS = {
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "Service": "v1", "ConfigMap": "v1",
    "Secret": "v1", "PersistentVolumeClaim": "v1", "PodDisruptionBudget": "policy/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
    "Component": "kustomize.config.k8s.io/v1alpha1",
}
# Read by the JVM or DJL, not by the config records (same list as notebook-image/check.sh).
RUNTIME = {"JAVA_TOOL_OPTIONS", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "TZ",
           # the AWS SDK's default credential chain (the bucket, MODELSYNC_S3_*)
           "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
           "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}
# KAFKA_* variables that KafkaClientConfig does not pass to the clients.
KAFKA_NOT_PASSED = {"KAFKA_HEAP_OPTS", "KAFKA_OPTS"}

failures, notes = [], []


def fail(msg):
    failures.append(msg)


# ---------------------------------------------------------------- the Java config
# deploy/options.json: the options each program declares (OptionsListingTest keeps it current).
OPTIONS_JSON = ROOT / "deploy/options.json"


def read_java(component):
    """(names the component reads, required names), from deploy/options.json."""
    import json

    options = json.loads(OPTIONS_JSON.read_text())[component]
    return {o["env"] for o in options}, {o["env"] for o in options if o["required"]}


# ---------------------------------------------------------------- the manifests
def load_manifests():
    objects, texts = [], {}
    for path in sorted(HERE.rglob("*.yaml")) + sorted(HERE.rglob("*.yml")):
        rel = path.relative_to(HERE).as_posix()
        texts[rel] = path.read_text()
        try:
            docs = [d for d in yaml.safe_load_all(texts[rel]) if d is not None]
        except yaml.YAMLError as e:
            fail(f"{rel}: does not parse: {str(e).splitlines()[0]}")
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                fail(f"{rel}: a document is not a mapping")
                continue
            kind, version = doc.get("kind"), doc.get("apiVersion")
            if kind not in API_VERSIONS:
                fail(f"{rel}: unexpected kind {kind!r}")
            elif version != API_VERSIONS[kind]:
                fail(f"{rel}: {kind} has apiVersion {version!r}, expected {API_VERSIONS[kind]}")
            objects.append((rel, doc))
    return objects, texts


def name_of(doc):
    return (doc.get("metadata") or {}).get("name")


def check_kustomization(objects):
    kust = [(rel, d) for rel, d in objects if rel == "kustomization.yaml"]
    if len(kust) != 1:
        fail("kustomization.yaml missing or holds more than one document")
        return set()
    _, k = kust[0]
    listed = set(k.get("resources") or [])
    for res in sorted(listed):
        if not (HERE / res).is_file():
            fail(f"kustomization.yaml: resource {res} does not exist")
    manifests = {rel for rel, d in objects if "/" not in rel and d.get("kind") not in ("Kustomization",)}
    for rel in sorted(manifests - listed - {"secret.example.yaml"}):
        fail(f"kustomization.yaml does not list {rel}")
    if "secret.example.yaml" in listed:
        fail("kustomization.yaml lists secret.example.yaml: example tokens would be deployed")
    tags = {i.get("name"): i.get("newTag") for i in k.get("images") or []}
    for image in IMAGES:
        if not tags.get(image):
            fail(f"kustomization.yaml: images sets no newTag for {image}")
    return listed


def resolve_port(container, port):
    if isinstance(port, int):
        return port
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return p.get("containerPort")
    return None


def probe_target(container, probe):
    """(kind, path, port number) of a probe."""
    if not probe:
        return None
    for kind in ("httpGet", "tcpSocket", "grpc"):
        if kind in probe:
            spec = probe[kind]
            return kind, spec.get("path"), resolve_port(container, spec.get("port"))
    return "exec", None, None


def main():
    objects, texts = load_manifests()
    listed = check_kustomization(objects)
    deployed = [(rel, d) for rel, d in objects if rel in listed]

    seen = set()
    for rel, d in deployed:
        key = (d.get("kind"), name_of(d))
        if key in seen:
            fail(f"{rel}: duplicate {key[0]} {key[1]}")
        seen.add(key)

    configmaps = {name_of(d): d.get("data") or {} for _, d in deployed if d.get("kind") == "ConfigMap"}
    secrets = {name_of(d): {**(d.get("data") or {}), **(d.get("stringData") or {})}
               for _, d in objects if d.get("kind") == "Secret"}
    if "secret.example.yaml" not in {rel for rel, _ in objects}:
        fail("secret.example.yaml missing")

    java = {c: read_java(c) for c in JAVA}

    workloads = [(rel, d) for rel, d in deployed if d.get("kind") in ("Deployment", "StatefulSet")]
    containers = {}  # role -> list of (rel, workload, pod spec, container, env dict)
    for rel, w in workloads:
        pod = ((w.get("spec") or {}).get("template") or {}).get("spec") or {}
        for c in pod.get("containers") or []:
            image = str(c.get("image", "")).split("@")[0]
            base = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
            role = IMAGES.get(base)
            if role is None:
                fail(f"{rel}: container {c.get('name')} uses image {image!r}, not one of {sorted(IMAGES)}")
                continue
            if base != image:
                fail(f"{rel}: container {c.get('name')} pins a tag in {image!r}; set it in kustomization images")
            env = {}  # name -> where it comes from
            for src in c.get("envFrom") or []:
                prefix = src.get("prefix", "")
                if "configMapRef" in src:
                    cm = src["configMapRef"].get("name")
                    if cm not in configmaps:
                        fail(f"{rel}: {c['name']} envFrom ConfigMap {cm} which is not deployed")
                    for key in configmaps.get(cm, {}):
                        env[prefix + key] = f"ConfigMap {cm}"
                if "secretRef" in src:
                    sec = src["secretRef"].get("name")
                    if sec not in secrets:
                        fail(f"{rel}: {c['name']} envFrom Secret {sec} which no manifest defines")
                    for key in secrets.get(sec, {}):
                        env[prefix + key] = f"Secret {sec}"
            for e in c.get("env") or []:
                env[e.get("name")] = "env"
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref.get("key") not in secrets.get(ref.get("name"), {}):
                    fail(f"{rel}: {c['name']} env {e.get('name')} refers to Secret key"
                         f" {ref.get('name')}/{ref.get('key')} missing from secret.example.yaml")
                ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
                if ref and ref.get("key") not in configmaps.get(ref.get("name"), {}):
                    fail(f"{rel}: {c['name']} env {e.get('name')} refers to missing ConfigMap key"
                         f" {ref.get('name')}/{ref.get('key')}")
            values = {}
            for src in c.get("envFrom") or []:
                if "configMapRef" in src:
                    for k, v in configmaps.get(src["configMapRef"].get("name"), {}).items():
                        values[src.get("prefix", "") + k] = str(v)
            for e in c.get("env") or []:
                if "value" in e:
                    values[e["name"]] = str(e["value"])
            containers.setdefault(role, []).append((rel, w, pod, c, env, values))

    for role in ("agent", "api", "notebook"):
        if not containers.get(role):
            fail(f"no {role} container (image modelsync/{role}) in the deployed manifests")

    # Variables vs. the Java config.
    counts = {}
    for role in ("agent", "api"):
        known, required = java[role]
        for rel, w, pod, c, env, values in containers.get(role, []):
            counts[role] = len(env)
            for name, where in sorted(env.items()):
                if name in known or name in RUNTIME:
                    continue
                if name.startswith("KAFKA_") and name not in KAFKA_NOT_PASSED:
                    continue  # passed through to the Kafka clients as a property
                else:
                    fail(f"{rel}: {c['name']} gets {name} ({where}), which the {role} config does not read")
            for name in sorted(required - set(env)):
                fail(f"{rel}: {c['name']} lacks {name}, which the {role} config requires")

    def mounts(c):
        return {m.get("mountPath"): m for m in c.get("volumeMounts") or []}

    def volume(pod, name):
        for v in pod.get("volumes") or []:
            if v.get("name") == name:
                return v
        return None

    def hardened(rel, pod, c):
        psc, csc = pod.get("securityContext") or {}, c.get("securityContext") or {}
        who = f"{rel}: {c['name']}"
        if not (csc.get("runAsNonRoot", psc.get("runAsNonRoot")) or
                csc.get("runAsUser", psc.get("runAsUser", 0))):
            fail(f"{who} may run as root (set runAsNonRoot)")
        if csc.get("allowPrivilegeEscalation") is not False:
            fail(f"{who} does not set allowPrivilegeEscalation: false")
        if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
            fail(f"{who} does not drop ALL capabilities")
        limits = (c.get("resources") or {}).get("limits") or {}
        requests = (c.get("resources") or {}).get("requests") or {}
        if "memory" not in limits or "memory" not in requests or "cpu" not in requests:
            fail(f"{who} lacks memory limit or cpu/memory requests")
        return csc

    # The notebook pod: notebook + agent sidecar sharing the models volume.
    for rel, w, pod, c, env, values in containers.get("agent", []):
        csc = hardened(rel, pod, c)
        if csc.get("readOnlyRootFilesystem") is not True:
            fail(f"{rel}: agent lacks readOnlyRootFilesystem: true")
        m = mounts(c)
        models_dir, store_dir = values.get("MODELSYNC_MODELS_DIR"), values.get("MODELSYNC_STORE_DIR")
        models_mount, store_mount = m.get(models_dir), m.get(store_dir)
        if not models_mount or models_mount.get("readOnly") is not True:
            fail(f"{rel}: agent must mount the models volume read-only at MODELSYNC_MODELS_DIR={models_dir}")
        if not store_mount or store_mount.get("readOnly"):
            fail(f"{rel}: agent must mount its store read-write at MODELSYNC_STORE_DIR={store_dir}")
        port = int(values.get("MODELSYNC_AGENT_PORT", "8081"))
        if port != 8081 or port not in [p.get("containerPort") for p in c.get("ports") or []]:
            fail(f"{rel}: agent must listen on and declare containerPort 8081 (MODELSYNC_AGENT_PORT={port})")
        for kind in ("readinessProbe", "livenessProbe"):
            t = probe_target(c, c.get(kind))
            if not t or t[2] != port:
                fail(f"{rel}: agent {kind} must target port {port}, got {t}")
        notebooks = [n for n in pod.get("containers") or [] if str(n.get("image", "")).startswith("modelsync/notebook")]
        if not notebooks:
            fail(f"{rel}: the agent is not a sidecar of the notebook (no notebook container in its pod)")
        for n in notebooks:
            nb_env = {e.get("name"): e.get("value") for e in n.get("env") or []}
            nb_mount = mounts(n).get(nb_env.get("MODELSYNC_MODELS_DIR", "/models"))
            if not nb_mount or nb_mount.get("readOnly"):
                fail(f"{rel}: notebook must mount the models volume read-write at its MODELSYNC_MODELS_DIR")
            elif models_mount and nb_mount.get("name") != models_mount.get("name"):
                fail(f"{rel}: notebook and agent mount different volumes as models"
                     f" ({nb_mount.get('name')} vs {models_mount.get('name')})")
            elif models_mount and volume(pod, nb_mount.get("name")) is None:
                fail(f"{rel}: volume {nb_mount.get('name')} is not defined in the pod")
            api_url = str(nb_env.get("MODELSYNC_API_URL", ""))
            if not re.match(r"http://modelsync-api(\.[^:/]+)?:8080/?$", api_url):
                fail(f"{rel}: notebook MODELSYNC_API_URL should be http://modelsync-api:8080, got {api_url!r}")
            for kind in ("readinessProbe", "livenessProbe"):
                t = probe_target(n, n.get(kind))
                if not t or t[2] != 8888:
                    fail(f"{rel}: notebook {kind} must target port 8888, got {t}")

    # The api.
    for rel, w, pod, c, env, values in containers.get("api", []):
        csc = hardened(rel, pod, c)
        if csc.get("readOnlyRootFilesystem") is not True:
            fail(f"{rel}: api lacks readOnlyRootFilesystem: true")
        replicas = (w.get("spec") or {}).get("replicas", 1)
        if w.get("kind") != "Deployment" or replicas < 2:
            fail(f"{rel}: api should be a Deployment with at least 2 replicas, got {w.get('kind')} x{replicas}")
        if "MODELSYNC_STORE_DIR" in values:
            store = mounts(c).get(values.get("MODELSYNC_STORE_DIR"))
            if not store or store.get("readOnly") is not True:
                fail(f"{rel}: api must mount its store read-only at MODELSYNC_STORE_DIR={values.get('MODELSYNC_STORE_DIR')}")
        elif "MODELSYNC_ARTIFACT_BASE_URL" not in values and not values.get("MODELSYNC_S3_BUCKET"):
            fail(f"{rel}: api needs MODELSYNC_STORE_DIR, MODELSYNC_ARTIFACT_BASE_URL or MODELSYNC_S3_BUCKET")
        if "MODELSYNC_ARTIFACT_BASE_URL" in values:
            url = values["MODELSYNC_ARTIFACT_BASE_URL"]
            if not re.match(r"^https?://modelsync-agent(\.[a-z0-9.-]+)?:8081/?$", url):
                fail(f"{rel}: MODELSYNC_ARTIFACT_BASE_URL should be the modelsync-agent Service on 8081, got {url!r}")
            cache = mounts(c).get(values.get("MODELSYNC_CACHE_DIR"))
            if not cache or cache.get("readOnly"):
                fail(f"{rel}: api must mount a writable volume at MODELSYNC_CACHE_DIR={values.get('MODELSYNC_CACHE_DIR')}"
                     " (the fetched versions; the root filesystem is read-only)")
        host = values.get("MODELSYNC_HOST", "0.0.0.0")
        if host not in ("0.0.0.0", "::"):
            fail(f"{rel}: api must listen on every pod address (MODELSYNC_HOST 0.0.0.0 or ::) so probes"
                 f" and the Service reach it, got {host!r}")
        port = int(values.get("MODELSYNC_PORT", "8080"))
        if port != 8080 or port not in [p.get("containerPort") for p in c.get("ports") or []]:
            fail(f"{rel}: api must listen on and declare containerPort 8080 (MODELSYNC_PORT={port})")
        for kind, path in (("readinessProbe", "/v2/health/ready"), ("livenessProbe", "/v2/health/live")):
            t = probe_target(c, c.get(kind))
            if t != ("httpGet", path, 8080):
                fail(f"{rel}: api {kind} must be httpGet {path} on 8080, got {t}")
        startup = probe_target(c, c.get("startupProbe"))
        if startup and startup[2] != 8080:
            fail(f"{rel}: api startupProbe targets port {startup[2]}, not 8080")
        grpc = int(values.get("MODELSYNC_GRPC_PORT", "8001"))
        if grpc != 8001 or grpc not in [p.get("containerPort") for p in c.get("ports") or []]:
            fail(f"{rel}: api must serve gRPC on and declare containerPort 8001 (MODELSYNC_GRPC_PORT={grpc})")

    # Services reach the right pods and ports.
    pods = [(w, ((w.get("spec") or {}).get("template") or {})) for _, w in workloads]
    expected_services = [("modelsync-api", "api", 8080), ("modelsync-api", "api", 8001),
                         ("modelsync-agent", "agent", 8081)]
    services = {name_of(d): (rel, d) for rel, d in deployed if d.get("kind") == "Service"}
    for svc, role, port in expected_services:
        if svc not in services:
            fail(f"no Service {svc}")
            continue
        rel, s = services[svc]
        selector = (s.get("spec") or {}).get("selector") or {}
        targets = [t for _, t in pods
                   if selector and selector.items() <= ((t.get("metadata") or {}).get("labels") or {}).items()]
        role_containers = [c for t in targets for c in (t.get("spec") or {}).get("containers") or []
                           if str(c.get("image", "")).startswith(f"modelsync/{role}")]
        if not role_containers:
            fail(f"{rel}: Service {svc} selects no pod with the {role} container")
            continue
        sports = (s.get("spec") or {}).get("ports") or []
        if not any(p.get("port") == port and resolve_port(role_containers[0], p.get("targetPort", port)) == port
                   for p in sports):
            fail(f"{rel}: Service {svc} must expose {port} -> the {role} container's {port}")

    # Components (optional variants) parse and keep to the expected kinds.
    components = [rel for rel, d in objects if d.get("kind") == "Component"]
    for rel in components:
        doc = dict(objects)[rel]
        for p in doc.get("patches") or []:
            if isinstance(p.get("patch"), str):
                try:
                    yaml.safe_load(p["patch"])
                except yaml.YAMLError as e:
                    fail(f"{rel}: a patch does not parse: {str(e).splitlines()[0]}")

    # Render with kubectl when it is there (not required).
    render = "kubectl not found, render skipped"
    kubectl = shutil.which("kubectl")
    if kubectl:
        try:
            out = subprocess.run([kubectl, "kustomize", str(HERE)], capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                fail(f"kubectl kustomize: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}")
                render = "kubectl kustomize failed"
            else:
                rendered = [d for d in yaml.safe_load_all(out.stdout) if d]
                untagged = [c.get("image") for d in rendered if d.get("kind") in ("Deployment", "StatefulSet")
                            for c in d["spec"]["template"]["spec"].get("containers", []) if ":" not in c.get("image", "")]
                if untagged:
                    fail(f"kubectl kustomize: images without a tag after rendering: {untagged}")
                render = f"kubectl kustomize rendered {len(rendered)} objects"
        except (OSError, subprocess.TimeoutExpired) as e:
            render = f"kubectl kustomize not run ({e.__class__.__name__})"

    for n in notes:
        print("note: " + n)
    for f in failures:
        print("FAIL " + f)
    summary = (f"{len(deployed)} objects in {len(listed)} files, agent {counts.get('agent', 0)} / api"
               f" {counts.get('api', 0)} env vars vs. Java config, {len(components)} component(s); {render}")
    if failures:
        print(f"k8s check: FAILED, {len(failures)} problem(s) - {summary}")
        return 1
    print(f"k8s check: OK - {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
