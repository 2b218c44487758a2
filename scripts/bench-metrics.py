#!/usr/bin/env python3
"""Figures for plan evaluation and `drconsole serve`, against moto on loopback:

1. the AWS calls of one `drconsole status` (one snapshot and one evaluation of `failover`) on a
   12-service estate, by operation, beside those of one poll cycle of `serve` on the same estate
   (its steady state): the difference is the evaluation's;
2. `serve`'s CPU (user + system) and resident memory over a minute, idle but for a scrape
   every 15 s.

    .venv/bin/python scripts/bench-metrics.py [path/to/drconsole]

Prints the figures; exits non-zero when a step fails. The binary defaults to
target/release/drconsole, else target/debug/drconsole (say which when quoting figures).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable


def estate_text(services):
    text = open(os.path.join(ROOT, "assets/examples/ecs-mysql.toml")).read()
    head, _, rest = text.partition("[[ecs.services]]")
    tail = rest[rest.index("[dns]"):]
    svc = "".join(
        f'[[ecs.services]]\nname = "svc-{i:02}"\nproduction = 2\nstandby = {1 if i < 3 else 0}\n\n'
        for i in range(services)
    )
    return head + svc + tail


def moto():
    p = subprocess.Popen([PY, os.path.join(ROOT, "tests/moto/server.py"), "--port", "0"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(p.stdout.readline().split()[1])
    return p, f"http://127.0.0.1:{port}"


def requests(url):
    return json.load(urllib.request.urlopen(url + "/_drconsole/requests"))["requests"]


def diff(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else next(
        p for p in (os.path.join(ROOT, "target/release/drconsole"), os.path.join(ROOT, "target/debug/drconsole"))
        if os.path.exists(p))
    server, url = moto()
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "in.toml")
        open(path, "w").write(estate_text(12))
        seeded = json.loads(subprocess.check_output([PY, os.path.join(ROOT, "tests/moto/seed_estate.py"), url, path]))
        estate = os.path.join(tmp, "tickets.toml")
        open(estate, "w").write(seeded["estate"])
        env = dict(os.environ, HOME=tmp, XDG_STATE_HOME=os.path.join(tmp, "state"), NO_COLOR="1",
                   AWS_EC2_METADATA_DISABLED="true")
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(k, None)
        policy = subprocess.check_output([binary, "iam-policy", "--operate", "--config", estate], env=env)
        policy_file = os.path.join(tmp, "policy.json")
        open(policy_file, "wb").write(policy)
        keys = json.loads(subprocess.check_output(
            [PY, os.path.join(ROOT, "tests/moto/principal.py"), url, "dr-operator", policy_file]))
        env["AWS_ACCESS_KEY_ID"] = keys["access_key_id"]
        env["AWS_SECRET_ACCESS_KEY"] = keys["secret_access_key"]

        before = requests(url)
        out = subprocess.run([binary, "status", "--config", estate], env=env, capture_output=True, text=True)
        status_calls = diff(requests(url), before)
        line = next((l.strip() for l in out.stdout.splitlines() if l.strip().startswith("failover ")), "?")
        print(f"status (snapshot + evaluation), 12 services: {sum(status_calls.values())} calls; failover: {line}")
        print("  by operation: " + ", ".join(f"{k} {v}" for k, v in sorted(status_calls.items())))

        served = subprocess.Popen([binary, "serve", "--metrics", "127.0.0.1:0", "--config", estate], env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = int(re.search(r"127\.0\.0\.1:(\d+)", served.stderr.readline()).group(1))
        metrics = f"http://127.0.0.1:{port}/metrics"
        # Settle: the first poll and the first evaluation.
        for _ in range(200):
            if "drconsole_evaluation_age_seconds{" in urllib.request.urlopen(metrics).read().decode():
                break
            time.sleep(0.1)
        time.sleep(6)
        ticks = os.sysconf("SC_CLK_TCK")

        def cpu():
            fields = open(f"/proc/{served.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks

        def rss_mb():
            for l in open(f"/proc/{served.pid}/status"):
                if l.startswith("VmRSS:"):
                    return int(l.split()[1]) / 1024
            return float("nan")

        c0, t0, r0 = cpu(), time.monotonic(), requests(url)
        peak = 0.0
        for i in range(60):
            time.sleep(1)
            peak = max(peak, rss_mb())
            if i % 15 == 14:
                urllib.request.urlopen(metrics).read()
        c1, t1, r1 = cpu(), time.monotonic(), requests(url)
        polls = diff(r1, r0)
        per_cycle = sum(polls.values()) / ((t1 - t0) / 5.0)
        print(f"serve idle over {t1 - t0:.0f}s ({os.path.basename(os.path.dirname(binary))} binary): "
              f"CPU {100 * (c1 - c0) / (t1 - t0):.2f}% of a core, RSS {rss_mb():.1f} MB (peak {peak:.1f} MB)")
        print(f"serve's polls: {sum(polls.values())} calls in {t1 - t0:.0f}s, {per_cycle:.1f} per 5 s cycle")
        print("  by operation: " + ", ".join(f"{k} {v}" for k, v in sorted(polls.items())))
        print(f"evaluation alone ≈ {sum(status_calls.values()) - per_cycle:.0f} calls "
              f"(status's {sum(status_calls.values())} less one poll cycle's {per_cycle:.0f})")
        served.terminate()
        served.wait(10)
    finally:
        server.stdin.close()
        server.wait(10)


if __name__ == "__main__":
    main()
