#!/usr/bin/python3
"""Renders helm/lexroute with helm/render and checks the manifests hold what the chart promises.

Usage (from helm/): check_rendered.py RENDER_BINARY. Part of helm/check.
"""
import copy
import glob
import re
import subprocess
import sys

import yaml

RENDER = sys.argv[1]
ROLES = ("intake", "gateway", "router", "scaler")
failures = []


def fail(message):
    failures.append(message)
    print(f"  FAILED: {message}")


def render(release, *values, expect_error=None):
    args = [RENDER, "lexroute", release, "lexroute", *values]
    done = subprocess.run(args, capture_output=True, text=True)
    if expect_error is not None:
        if done.returncode == 0 or expect_error not in done.stderr:
            fail(f"rendering with {values} should fail with '{expect_error}': {done.stderr.strip()}")
        return None
    if done.returncode != 0:
        fail(f"rendering {release} with {values or 'the defaults'}: {done.stderr.strip()}")
        return []
    docs = [d for d in yaml.safe_load_all(done.stdout) if d]
    for d in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in d:
                fail(f"{release}: an object without {key}: {str(d)[:80]}")
    return docs


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def pod_labels(docs):
    return {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]
            for d in by_kind(docs, "Deployment")}


def write_values(name, values):
    path = f"../build/helm-render/{name}.yaml"
    with open(path, "w") as f:
        yaml.safe_dump(values, f)
    return path


def check_release(docs, release, values):
    pods = pod_labels(docs)
    deployments = {d["metadata"]["name"]: d for d in by_kind(docs, "Deployment")}
    for role in ROLES:
        if f"{release}-{role}" not in deployments:
            fail(f"{release}: no Deployment for {role}")
    for d in docs:
        labels = d["metadata"].get("labels", {})
        if labels.get("app.kubernetes.io/instance") != release:
            fail(f"{d['kind']} {d['metadata']['name']}: no instance label")
    for name, d in deployments.items():
        spec = d["spec"]
        match = spec["selector"]["matchLabels"]
        if match.get("app.kubernetes.io/instance") != release:
            fail(f"Deployment {name}: selector without the instance")
        if not selects(match, pods[name]):
            fail(f"Deployment {name}: selector does not select its own pods")
        pod = spec["template"]["spec"]
        if not pod["securityContext"].get("runAsNonRoot"):
            fail(f"{name}: runAsNonRoot is not set")
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            if not (sc.get("readOnlyRootFilesystem") and sc.get("allowPrivilegeEscalation") is False
                    and sc.get("capabilities", {}).get("drop") == ["ALL"]):
                fail(f"{name}: container security context incomplete: {sc}")
            if not c.get("resources", {}).get("requests"):
                fail(f"{name}: no resource requests")
            if not c["image"].endswith(":" + values["expected_tag"]):
                fail(f"{name}: image {c['image']}, expected tag {values['expected_tag']}")
            ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                p = c.get(probe)
                if not p:
                    fail(f"{name}: no {probe}")
                    continue
                role = name.rsplit("-", 1)[1]
                if role in ("intake", "gateway"):
                    want = "tcpSocket" if values["tls"] else "grpc"
                    if want not in p or p[want]["port"] != ports["grpc"]:
                        fail(f"{name}: {probe} is not {want} on the gRPC port: {p}")
                elif "grpc" not in p or p["grpc"]["port"] != ports.get("grpc-health"):
                    fail(f"{name}: {probe} is not grpc on the grpc-health port: {p}")
                # Readiness asks the whole server; startup and liveness only that the process
                # runs, so a lost Redis never restarts a pod.
                if "grpc" in p:
                    service = p["grpc"].get("service", "")
                    wanted = "" if probe == "readinessProbe" else "liveness"
                    if service != wanted:
                        fail(f"{name}: {probe} asks health service {service!r}, not {wanted!r}")
            envs = [e["name"] for e in c.get("env", [])]
            if len(envs) != len(set(envs)):
                fail(f"{name}: an environment variable set twice: {envs}")
            for e in envs:
                if e.startswith("LEXROUTE_KAFKA_CONFIG_"):
                    continue
                if f"`{e}`" not in CONFIGURATION:
                    fail(f"{name}: {e} is not a variable docs/configuration.md documents")
            mounts = {m["name"] for m in c.get("volumeMounts", [])}
            volumes = {v["name"] for v in pod.get("volumes", [])}
            if not mounts <= volumes:
                fail(f"{name}: mounts {mounts - volumes} have no volume")
            if "/tmp" not in {m["mountPath"] for m in c.get("volumeMounts", [])}:
                fail(f"{name}: no writable /tmp")
    for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy"):
        for d in by_kind(docs, kind):
            sel = (d["spec"].get("selector") if kind == "Service"
                   else d["spec"]["selector"]["matchLabels"] if kind == "PodDisruptionBudget"
                   else d["spec"]["podSelector"]["matchLabels"])
            name = d["metadata"]["name"]
            if name.endswith("-access"):
                continue  # the policy on Redis's or Kafka's own pods
            matched = [p for p, labels in pods.items() if selects(sel, labels)]
            if sel.get("app.kubernetes.io/instance") != release or len(matched) != 1:
                fail(f"{kind} {name}: selects {matched}, not exactly its role of this release")
    for d in by_kind(docs, "ServiceMonitor"):
        sel = d["spec"]["selector"]["matchLabels"]
        services = [s for s in by_kind(docs, "Service") if selects(sel, s["metadata"]["labels"])]
        if len(services) != 4 or any(d["spec"]["jobLabel"] not in s["metadata"]["labels"] for s in services):
            fail(f"ServiceMonitor selects {[s['metadata']['name'] for s in services]}, or a job label is missing")
        jobs = sorted(s["metadata"]["labels"][d["spec"]["jobLabel"]] for s in services)
        if jobs != sorted(f"lexroute-{r}" for r in ROLES):
            fail(f"ServiceMonitor jobs {jobs} are not deploy/prometheus's job names")
    for d in by_kind(docs, "PrometheusRule"):
        expected = []
        for path in sorted(glob.glob("../deploy/prometheus/rules/*.yml")):
            expected += yaml.safe_load(open(path))["groups"]
        if d["spec"]["groups"] != expected:
            fail("the PrometheusRule's groups differ from deploy/prometheus/rules")
    for d in by_kind(docs, "ScaledObject"):
        if d["spec"]["maxReplicaCount"] > values["partitions"]:
            fail("the ScaledObject scales routers past the partition count")
        if d["spec"]["scaleTargetRef"]["name"] not in deployments:
            fail("the ScaledObject scales no Deployment of the release")
        if "replicas" in deployments[f"{release}-router"]["spec"]:
            fail("the router Deployment sets replicas although KEDA owns them")
    for d in by_kind(docs, "Ingress"):
        services = {s["metadata"]["name"]: s for s in by_kind(docs, "Service")}
        for rule in d["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                svc = p["backend"]["service"]
                ports = {x["name"] for x in services[svc["name"]]["spec"]["ports"]}
                if svc["port"]["name"] not in ports:
                    fail(f"Ingress {d['metadata']['name']}: port {svc['port']} not on {svc['name']}")


CONFIGURATION = open("../docs/configuration.md").read()
defaults = yaml.safe_load(open("lexroute/values.yaml"))
app_version = str(yaml.safe_load(open("lexroute/Chart.yaml"))["appVersion"])
ci = yaml.safe_load(open("lexroute/ci/production-values.yaml"))

a = render("lexroute")
check_release(a, "lexroute", {"expected_tag": app_version, "tls": False, "partitions": 24})
print(f"  ok: default values: {len(a)} objects" if not failures else "  (default values)")

b = render("second", "lexroute/ci/production-values.yaml")
check_release(b, "second", {"expected_tag": app_version, "tls": True, "partitions": ci["kafka"]["taskPartitions"]})
kinds = sorted({d["kind"] for d in b})
print(f"  ok: ci/production-values.yaml as release 'second': {len(b)} objects ({', '.join(kinds)})")

# Two releases in one namespace: no selector of one picks a pod of the other.
for mine, theirs in ((a, b), (b, a)):
    other_pods = pod_labels(theirs)
    for d in mine:
        spec = d.get("spec", {})
        for sel in (spec.get("selector", {}).get("matchLabels") if isinstance(spec.get("selector"), dict) and "matchLabels" in spec.get("selector", {}) else spec.get("selector") if d["kind"] == "Service" else None,
                    spec.get("podSelector", {}).get("matchLabels") if d["kind"] == "NetworkPolicy" else None):
            if not sel or d["metadata"]["name"].endswith("-access"):
                continue
            hits = [p for p, labels in other_pods.items() if selects(sel, labels)]
            if hits:
                fail(f"{d['kind']} {d['metadata']['name']} selects the other release's pods {hits}")
print("  ok: two releases in one namespace select none of each other's pods")

tagged = render("tagged", write_values("tagged", {"image": {"tag": "9.9.9"}}))
if tagged and not all(c["image"].endswith(":9.9.9") for d in by_kind(tagged, "Deployment")
                      for c in d["spec"]["template"]["spec"]["containers"]):
    fail("image.tag does not override appVersion")
health = render("health", write_values("health", {"router": {"health": {"grpc": True, "port": 50063}}}))
if health:
    router = [d for d in by_kind(health, "Deployment") if d["metadata"]["name"] == "health-router"][0]
    c = router["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in c["env"]}
    if env.get("LEXROUTE_LISTEN") != "0.0.0.0:50063" or c["livenessProbe"].get("grpc", {}).get("port") != 50063:
        fail("router.health.grpc does not move the router's probes to grpc.health.v1 on its port")
nohealth = render("nohealth", write_values("nohealth", {"router": {"health": {"grpc": False}}}))
if nohealth:
    router = [d for d in by_kind(nohealth, "Deployment") if d["metadata"]["name"] == "nohealth-router"][0]
    c = router["spec"]["template"]["spec"]["containers"][0]
    if "LEXROUTE_LISTEN" in {e["name"] for e in c["env"]} or "httpGet" not in c["readinessProbe"]:
        fail("router.health.grpc false does not leave the router's probes on /metrics")
big = render("big", write_values("big", {"intake": {"maxRoutingBacklog": 1000000}}))
if big:
    intake = [d for d in by_kind(big, "Deployment") if d["metadata"]["name"] == "big-intake"][0]
    env = {e["name"]: e.get("value") for e in intake["spec"]["template"]["spec"]["containers"][0]["env"]}
    if env.get("LEXROUTE_MAX_ROUTING_BACKLOG") != "1000000":
        fail(f"a large backlog limit renders as {env.get('LEXROUTE_MAX_ROUTING_BACKLOG')!r}, not 1000000")
render("keda", write_values("keda", {"router": {"autoscaling": {"enabled": True, "maxReplicas": 30}}}),
       expect_error="must not exceed kafka.taskPartitions")
render("routers", write_values("routers", {"router": {"replicas": 25}}),
       expect_error="router.replicas must not exceed kafka.taskPartitions")
render("notls", write_values("notls", {"tls": {"enabled": True}}), expect_error="tls.existingSecret is required")
render("sentinel", write_values("sentinel", {"redis": {"sentinels": "s:26379"}}),
       expect_error="redis.masterName is required")
if failures:
    sys.exit(1)
print("  ok: image.tag overrides appVersion; router.health.grpc moves its probes (off: /metrics); a backlog limit of"
      " 1,000,000 renders as digits; routers (or KEDA) past the partitions, TLS without its Secret and Sentinels"
      " without a master name fail to render")
