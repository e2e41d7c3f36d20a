#!/usr/bin/env python3
"""The registry side of tests/images/run.sh, over the registry HTTP API v2 only (no Docker client).

  push-base REGISTRY REPO:TAG RUNTIME_DIR     a Java base image: one layer with RUNTIME_DIR at /opt/java/openjdk, the
                                             host's C library files that its java links against, /tmp; java on PATH
  check REGISTRY REPO:TAG K8S_DIR APP_DIR    pulls the manifest and config and checks them against the k8s/ manifests
                                             and the packaged application (prints the manifest digest)
  layers REGISTRY REPO:TAG                   each layer's digest and the Jib step that made it
  run REGISTRY REPO:TAG ROOTFS HTTP GRPC [PROBE]  unpacks the layers into ROOTFS and runs the image's entrypoint there as
                                             its user (chroot, root only) with the AOT cache required; waits for ready
"""
import ctypes
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request

import yaml

CLONE_NEWNS, MS_REC, MS_PRIVATE = 0x00020000, 16384, 1 << 18
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json, "
                  "application/vnd.docker.distribution.manifest.v2+json")


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, dict(response.headers), response.read()


def push_blob(registry, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    try:
        http("HEAD", f"http://{registry}/v2/{repo}/blobs/{digest}")
        return digest
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
    _, headers, _ = http("POST", f"http://{registry}/v2/{repo}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = f"http://{registry}{location}"
    separator = "&" if "?" in location else "?"
    http("PUT", f"{location}{separator}digest={digest}", data,
         {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
    return digest


def fixed(info):
    # reproducible: no owner names, times at the epoch
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    return info


def base_layer(runtime_dir):
    java = os.path.join(runtime_dir, "bin", "java")
    libjvm = os.path.join(runtime_dir, "lib", "server", "libjvm.so")
    needed = set()
    for binary in (java, libjvm):
        for line in subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout.splitlines():
            parts = line.split()
            path = parts[2] if "=>" in parts and len(parts) > 2 else parts[0]
            # the C library and friends; the runtime's own libraries come with it below
            if path.startswith("/") and os.path.exists(path) and \
                    not os.path.realpath(path).startswith(os.path.realpath(runtime_dir) + os.sep):
                needed.add(path)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        directories = set()

        def add_dirs(path):
            parts = path.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in directories:
                    directories.add(d)
                    info = fixed(tarfile.TarInfo(d))
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)

        tmp = fixed(tarfile.TarInfo("tmp"))
        tmp.type, tmp.mode = tarfile.DIRTYPE, 0o1777
        tar.addfile(tmp)
        directories.add("tmp")
        for library in sorted(needed):
            real = os.path.realpath(library)
            add_dirs(library)
            with open(real, "rb") as f:
                info = fixed(tar.gettarinfo(real, arcname=library.lstrip("/")))
                tar.addfile(info, f)
        for dirpath, dirnames, filenames in os.walk(runtime_dir):
            dirnames.sort()
            relative = os.path.relpath(dirpath, runtime_dir)
            target = "opt/java/openjdk" if relative == "." else f"opt/java/openjdk/{relative}"
            add_dirs(target + "/x")
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                info = fixed(tar.gettarinfo(path, arcname=f"{target}/{name}"))
                if info.isfile():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    tar_bytes = buffer.getvalue()
    return tar_bytes, gzip.compress(tar_bytes, compresslevel=1, mtime=0)


def push_base(registry, reference, runtime_dir):
    repo, tag = reference.rsplit(":", 1)
    tar_bytes, layer = base_layer(runtime_dir)
    layer_digest = push_blob(registry, repo, layer)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/opt/java/openjdk/bin:/usr/local/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java/openjdk"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar_bytes).hexdigest()]},
    }, sort_keys=True).encode()
    config_digest = push_blob(registry, repo, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                    "size": len(layer)}],
    }).encode()
    http("PUT", f"http://{registry}/v2/{repo}/manifests/{tag}", manifest,
         {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    print(f"base image {registry}/{reference}: {len(layer) // 1048576} MiB layer")


def pull(registry, reference):
    repo, tag = reference.rsplit(":", 1)
    _, headers, body = http("GET", f"http://{registry}/v2/{repo}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES})
    manifest = json.loads(body)
    digest = headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(body).hexdigest()
    _, _, config = http("GET", f"http://{registry}/v2/{repo}/blobs/{manifest['config']['digest']}")
    return repo, digest, manifest, json.loads(config)


def k8s_containers(k8s_dir, image_name):
    """(container, pod spec, workload labels) of every container in k8s_dir that runs image gauntlet/<image_name>."""
    found = []

    def walk(node, pod_spec, labels):
        if isinstance(node, dict):
            if "containers" in node and isinstance(node["containers"], list):
                pod_spec = node
            if isinstance(node.get("metadata"), dict) and isinstance(node["metadata"].get("labels"), dict):
                labels = {**labels, **node["metadata"]["labels"]}
            image = node.get("image")
            if isinstance(image, str) and image.split(":")[0] == f"gauntlet/{image_name}":
                found.append((node, pod_spec or {}, labels))
            for value in node.values():
                walk(value, pod_spec, labels)
        elif isinstance(node, list):
            for value in node:
                walk(value, pod_spec, labels)

    for dirpath, _, filenames in os.walk(k8s_dir):
        for name in sorted(filenames):
            if name.endswith(".yaml") and name != "kustomization.yaml":
                with open(os.path.join(dirpath, name)) as f:
                    for document in yaml.safe_load_all(f):
                        walk(document, None, {})
    return found


def check(registry, reference, k8s_dir, app_dir):
    repo, digest, manifest, config = pull(registry, reference)
    image_name = repo.split("/")[-1]
    run = config["config"]
    failures = []

    def expect(condition, message):
        if not condition:
            failures.append(message)

    entrypoint = (run.get("Entrypoint") or []) + (run.get("Cmd") or [])
    containers = k8s_containers(k8s_dir, image_name)
    expect(containers, f"no container in {k8s_dir} runs gauntlet/{image_name}")
    expect(entrypoint[:1] == ["java"] and entrypoint[-2:] == ["-jar", "quarkus-run.jar"],
           f"entrypoint {entrypoint} is not java … -jar quarkus-run.jar")
    env = dict(e.split("=", 1) for e in run.get("Env") or [])
    # Quarkus' Jib build passes the cache as JAVA_TOOL_OPTIONS, so a pod's JVM options cannot lose it by accident
    aot_flag = "-XX:AOTCache=app.aot"
    expect(aot_flag in entrypoint or aot_flag in env.get("JAVA_TOOL_OPTIONS", "").split(),
           f"neither entrypoint {entrypoint} nor JAVA_TOOL_OPTIONS {env.get('JAVA_TOOL_OPTIONS')!r} uses {aot_flag}")
    expect(run.get("WorkingDir") == "/deployments", f"working directory {run.get('WorkingDir')}")
    expect(run.get("User") not in (None, "", "0", "root"), f"runs as root (User {run.get('User')!r})")
    ports = sorted(int(p.split("/")[0]) for p in (run.get("ExposedPorts") or {}))
    labels = run.get("Labels") or {}
    for container, pod_spec, workload_labels in containers:
        where = f"k8s container {container.get('name')}"
        declared = sorted(p["containerPort"] for p in container.get("ports", []))
        # a pod that moves a port (two Gauntlet containers in one pod) says so in the service's own variables
        pod_env = {e["name"]: str(e.get("value", "")) for e in container.get("env", []) if "value" in e}
        expect("JAVA_TOOL_OPTIONS" not in pod_env, f"{where} sets JAVA_TOOL_OPTIONS, which replaces the image's AOT cache flag")
        moved = {10902: pod_env.get("QUARKUS_HTTP_PORT"), 10901: pod_env.get("GAUNTLET_GRPC_ADDRESS", "").rpartition(":")[2]}
        expected = sorted(int(moved.get(p) or p) for p in ports)
        expect(expected == declared, f"image ports {ports} (as the pod's variables move them: {expected}), "
                                     f"{where} declares {declared}")
        own_pod = workload_labels.get("app.kubernetes.io/name") == labels.get("app.kubernetes.io/name")
        user = (container.get("securityContext") or {}).get("runAsUser") \
            or (pod_spec.get("securityContext") or {}).get("runAsUser" if own_pod else "_")
        if user is not None:  # in another workload's pod (the sidecar in Prometheus') that pod's user applies
            expect(str(user) == run.get("User"), f"image user {run.get('User')}, {where} runs as {user}")
        expect(labels.get("app.kubernetes.io/name") in (container.get("name"), workload_labels.get("app.kubernetes.io/name")),
               f"image label app.kubernetes.io/name={labels.get('app.kubernetes.io/name')}, {where} of "
               f"{workload_labels.get('app.kubernetes.io/name')}")
        if "app.kubernetes.io/part-of" in workload_labels:
            expect(labels.get("app.kubernetes.io/part-of") == workload_labels["app.kubernetes.io/part-of"],
                   f"image label app.kubernetes.io/part-of={labels.get('app.kubernetes.io/part-of')}, {where} "
                   f"{workload_labels['app.kubernetes.io/part-of']}")
    # the AOT cache made at packaging is inside, at the path the entrypoint names
    aot = os.path.join(app_dir, "app.aot")
    expect(os.path.isfile(aot), f"{aot} was not made by the build")
    if os.path.isfile(aot):
        wanted = hashlib.sha256(open(aot, "rb").read()).hexdigest()
        expect(any(layer_has(registry, repo, layer["digest"], "deployments/app.aot", wanted) for layer in manifest["layers"]),
               "no layer holds deployments/app.aot as packaged")
    expect(env.get("PATH", "").startswith("/opt/java/openjdk/bin"), "the base image's PATH (java) is not kept")
    if failures:
        for failure in failures:
            print(f"images: {image_name}: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"{digest} entrypoint={' '.join(entrypoint)} JAVA_TOOL_OPTIONS={env.get('JAVA_TOOL_OPTIONS')} "
          f"user={run.get('User')} ports={ports} labels={labels}")


def layers(registry, reference):
    """One line per layer: its digest and the build step that made it (Jib's history comment)."""
    _, _, manifest, config = pull(registry, reference)
    steps = [h.get("comment", "") for h in config.get("history", []) if not h.get("empty_layer")]
    for i, layer in enumerate(manifest["layers"]):
        print(layer["digest"], steps[i] if i < len(steps) else "")


def layer_has(registry, repo, digest, path, sha256):
    _, _, blob = http("GET", f"http://{registry}/v2/{repo}/blobs/{digest}")
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:*") as tar:
        for member in tar:
            if member.name.lstrip("./").lstrip("/") == path and member.isfile():
                return hashlib.sha256(tar.extractfile(member).read()).hexdigest() == sha256
    return False


def run_image(registry, reference, rootfs, http_port, grpc_port, probe="/-/ready"):
    repo, _, manifest, config = pull(registry, reference)
    for layer in manifest["layers"]:
        _, _, blob = http("GET", f"http://{registry}/v2/{repo}/blobs/{layer['digest']}")
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:*") as tar:
            tar.extractall(rootfs, filter="fully_trusted")  # our own layers; keeps /tmp's mode 1777
    run = config["config"]
    argv = (run.get("Entrypoint") or []) + (run.get("Cmd") or [])
    env = dict(e.split("=", 1) for e in run.get("Env") or [])
    # as a pod spec would: loopback only, free ports; and the AOT cache must be used, or the JVM stops
    env.update({"QUARKUS_HTTP_HOST": "127.0.0.1", "QUARKUS_HTTP_PORT": str(http_port),
                "GAUNTLET_GRPC_ADDRESS": f"127.0.0.1:{grpc_port}",
                "JAVA_TOOL_OPTIONS": (env.get("JAVA_TOOL_OPTIONS", "") + " -XX:AOTMode=on").strip()})
    uid = int(run.get("User", "0").split(":")[0])
    executable = next(os.path.join(d, argv[0]) for d in env["PATH"].split(":")
                      if os.path.exists(os.path.join(rootfs + d, argv[0])))

    def enter():
        # a container has its own /proc (glibc resolves java's $ORIGIN run path through /proc/self/exe): a private
        # mount namespace for this process alone, so nothing stays mounted after it
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNS) != 0 or libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0 or \
                libc.mount(b"proc", os.path.join(rootfs, "proc").encode(), b"proc", 0, None) != 0:
            raise OSError(ctypes.get_errno(), "a mount namespace with /proc in the image's filesystem")
        os.chroot(rootfs)
        os.chdir(run.get("WorkingDir") or "/")
        os.setgid(uid)
        os.setuid(uid)

    os.makedirs(os.path.join(rootfs, "proc"), exist_ok=True)
    log = open(os.path.join(os.path.dirname(rootfs), "run.log"), "wb")
    process = subprocess.Popen([executable] + argv[1:], env=env, preexec_fn=enter, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    try:
        while time.monotonic() - started < 180:
            if process.poll() is not None:
                break
            try:
                http("GET", f"http://127.0.0.1:{http_port}{probe}")
                print(f"{probe} 200 after {time.monotonic() - started:.1f} s as uid {uid}, AOT cache in use (AOTMode=on)")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        log.flush()
        with open(log.name, "rb") as f:
            sys.stderr.write(f.read()[-4000:].decode(errors="replace"))
        sys.exit(f"images: {reference} did not become ready (exit {process.poll()})")
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    verb, args = sys.argv[1], sys.argv[2:]
    if verb == "push-base":
        push_base(*args)
    elif verb == "check":
        check(*args)
    elif verb == "run":
        run_image(args[0], args[1], args[2], int(args[3]), int(args[4]), *args[5:])
    elif verb == "layers":
        layers(*args)
    else:
        sys.exit(__doc__)
