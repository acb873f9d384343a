#!/usr/bin/env python3
# Baseline of the stale-module scan: the same question answered by Portage's own vardbapi (the vendored Portage,
# run from its extracted tree with PYTHONPATH=<tree>/lib). For every installed package: its RDEPEND's
# slot-operator atom on virtual/dist-kernel (sub-slot = kernel it was built for), its SLOT, and the kernel modules
# its CONTENTS lists; then which module packages are stale against the installed virtual and kernels.
#   python3 vardb-stale-scan.py ROOT RUNS KERNEL_PACKAGE...
# Prints one JSON line: the answer (module packages, stale ones) and the time of each run in ms, measured inside
# this process after `import portage` and the config are ready (interpreter start-up is not counted).
import json
import os
import re
import sys
import time
from functools import cmp_to_key

root = os.path.abspath(sys.argv[1])
runs = int(sys.argv[2])
kernel_packages = sys.argv[3:]

# No profile or make.conf in the generated root: Portage then only warns; the VDB is all that is read.
os.environ.setdefault("PORTAGE_USERNAME", "root")
os.environ.setdefault("PORTAGE_GRPNAME", "root")
import portage  # noqa: E402
from portage.dbapi.vartree import vartree  # noqa: E402
from portage.dep import Atom, use_reduce  # noqa: E402
from portage.versions import catpkgsplit, cpv_getkey, vercmp  # noqa: E402

settings = portage.config(config_root=root, target_root=root, eprefix="")
MODULE = re.compile(r"^(?:/usr)?/lib/modules/([^/]+)/.+\.ko(?:\.(?:gz|xz|zst))?$")
KV_DIR = re.compile(r"^(?:/usr)?/lib/modules/([^/]+)/")
VIRTUAL = "virtual/dist-kernel"
root_len = len(settings["ROOT"].rstrip("/"))


def without_revision(pv):
    return re.sub(r"-r[0-9]+$", "", pv)


def scan():
    # A fresh vartree (and vardbapi) each run: no in-memory cache carried over from the previous run.
    vardb = vartree(settings=settings).dbapi
    kernels = []  # (pv, kv)
    candidates = []
    for cpv in vardb.cpv_all():
        key = cpv_getkey(cpv)
        rdepend, eapi = vardb.aux_get(cpv, ["RDEPEND", "EAPI"])
        if key == VIRTUAL:
            continue
        # getcontents() keys are host paths (ROOT prepended).
        paths = [path[root_len:] for path in vardb._dblink(cpv).getcontents()]
        if key in kernel_packages:
            kvs = sorted({m.group(1) for m in (KV_DIR.match(p) for p in paths) if m})
            if kvs:
                kernels.append((catpkgsplit(cpv)[2], kvs[0]))
            continue
        sub_slot = None
        for atom in use_reduce(rdepend, matchall=True, flat=True, eapi=eapi or None, token_class=Atom):
            if isinstance(atom, Atom) and atom.cp == VIRTUAL and not atom.blocker:
                sub_slot = str(atom.sub_slot) if atom.sub_slot is not None else None
        kvs = sorted({m.group(1) for m in (MODULE.match(p) for p in paths) if m})
        if sub_slot is not None or kvs:
            candidates.append((str(cpv), sub_slot, kvs))
    kv_by_pv = {}
    for pv, kv in kernels:
        kv_by_pv[pv] = kv
        kv_by_pv.setdefault(re.sub(r"_p[0-9]*$", "", pv), kv)
    installed = {kv for _, kv in kernels}
    newest = max(kernels, key=cmp_to_key(lambda a, b: vercmp(a[0], b[0])))[1] if kernels else None
    modules, stale = [], []
    for cpv, sub_slot, kvs in candidates:
        built_for = kv_by_pv.get(without_revision(sub_slot)) if sub_slot else None
        if built_for and kvs and built_for not in kvs:
            built_for = kvs[0] if len(kvs) == 1 else built_for
        elif not built_for and kvs:
            built_for = kvs[-1]
        modules.append(cpv)
        if built_for is None:
            if sub_slot is not None:
                stale.append(cpv)
        elif built_for not in installed or (newest and built_for != newest):
            stale.append(cpv)
    return sorted(modules), sorted(stale)


times = []
answer = None
for _ in range(runs):
    start = time.perf_counter()
    answer = scan()
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"modules": answer[0], "stale": answer[1], "ms": times, "portage": str(portage.VERSION)}))
