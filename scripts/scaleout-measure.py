#!/usr/bin/env python3
"""Issue 14's measurement: a dataset published into 8 partitions of a private Redis, then
followed by 1 engine (`serve --own 0-7 --of 8`) and by 2 engines (`--own 0-3`, `--own 4-7`)
sharing item deltas; prints prequential HR@10 (fixed sample, same S), events/s per engine,
bytes/s through Redis and the largest item staleness (docs/SCALE-OUT.md).

    scripts/scaleout-measure.py DRIFTSCOPE_BINARY DATA.csv [--every S] [--limit N] [--train-every N] [--runs one,two,none] [--serve-args "--set k=v"] [--keep-logs DIR]
"""
import argparse, os, re, shlex, shutil, signal, socket, subprocess, sys, tempfile, time

p = argparse.ArgumentParser()
p.add_argument("binary")
p.add_argument("data")
p.add_argument("--every", type=int, default=100, help="prequential: score every S-th eligible event")
p.add_argument("--limit", type=int, help="publish at most this many events")
p.add_argument("--sync-every", type=float, default=1.0)
p.add_argument("--no-sync-run", action="store_true", help="also run 2 engines that share nothing")
p.add_argument("--train-every", type=int, help="serve --train-every: one training batch per N events of each engine")
p.add_argument("--speed", type=float, help="serve --speed: pace the engines by event time (default: as fast as they can)")
p.add_argument("--runs", default="one,two", help="which runs, comma-separated: one (1 engine), two (2 sharing), none (2 sharing nothing)")
p.add_argument("--serve-args", default="", help="more serve options for every engine, e.g. \"--set layers=2\"")
p.add_argument("--keep-logs", help="copy the engines' logs into this directory")
a = p.parse_args()

work = tempfile.mkdtemp(prefix="driftscope-scaleout-")
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", work, "--save", "",
                          "--appendonly", "no"], stdout=subprocess.DEVNULL)
for _ in range(100):
    if subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True, text=True).stdout.startswith("PONG"): break
    time.sleep(0.05)
base = f"redis://127.0.0.1:{port}/large"
env = dict(os.environ, XDG_STATE_HOME=work, XDG_DATA_HOME=work)

def run(cmd):
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout

try:
    t0 = time.time()
    out = run([a.binary, "publish", a.data, "--to", base, "--partitions", "8"] + (["--limit", str(a.limit)] if a.limit else []))
    print(out.strip(), f"({time.time() - t0:.1f} s)")
    total = sum(int(run(["redis-cli", "-p", str(port), "XLEN", f"large:{k}"]).strip()) for k in range(8))
    status = re.compile(r"^(\S+) serve: (?:running|paused|source finished) · (\d+) events .*prequential HR@10 ([0-9.]+) over (\d+) scored")
    items_re = re.compile(r" · (\d+) items · step (\d+)")

    def engines(label, owns, sync):
        print(f"\n== {label}", flush=True)
        group = label.replace(" ", "-")
        procs = []
        for k, own in enumerate(owns):
            log = f"{work}/{group}-{k}.log"
            cmd = [a.binary, "serve", "--source", f"{base}?group={group}", "--own", own, "--of", "8",
                   "--listen", f"unix:{work}/{group}-{k}.sock", "--log-every", "1", "--prequential-every", str(a.every),
                   "--sync-every", str(sync)] + (["--speed", str(a.speed)] if a.speed else []) + (["--train-every", str(a.train_every)] if a.train_every else []) + shlex.split(a.serve_args)
            print("$", " ".join(cmd), f"2>{log}", flush=True)
            procs.append((subprocess.Popen(cmd, stderr=open(log, "w"), env=env), log))
        # Until the engines together have applied every published event.
        while True:
            time.sleep(1)
            counts = []
            for proc, log in procs:
                lines = [m for m in (status.match(l) for l in open(log)) if m]
                counts.append(int(lines[-1].group(2)) if lines else 0)
            if sum(counts) >= total: break
            if any(proc.poll() is not None for proc, _ in procs): sys.exit(f"an engine stopped: see {work}")
        for proc, _ in procs: proc.send_signal(signal.SIGTERM)
        for proc, _ in procs: proc.wait()
        rows = []
        for k, (proc, log) in enumerate(procs):
            text = open(log).read()
            lines = [m for m in (status.match(l) for l in text.splitlines()) if m]
            # events/s: from the first line with events to the first line with the final count.
            final = int(lines[-1].group(2))
            stamp = lambda m: time.mktime(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ"))
            first = next(m for m in lines if int(m.group(2)) > 0)
            last = next(m for m in lines if int(m.group(2)) == final)
            seconds = max(1.0, stamp(last) - stamp(first) + 1)
            hr, scored = float(lines[-1].group(3)), int(lines[-1].group(4))
            sync_line = [l for l in text.splitlines() if "items: sent" in l][-1:] or [""]
            m = re.search(r"\((\d+) B/s through Redis\).*staleness max ([0-9.]+) s \(transit max ([0-9.]+) s\)", sync_line[0])
            m2 = re.search(r"items: sent \d+ batches / \d+ rows / (\d+) B, received \d+ / \d+ rows / (\d+) B", sync_line[0])
            m3 = re.search(r"created (\d+) items, (\d+) rows of unknown items", sync_line[0])
            m4 = [m for m in (items_re.search(l) for l in text.splitlines()) if m][-1:]
            rows.append(dict(engine=owns[k], events=final, seconds=seconds, rate=final / seconds, hr=hr, scored=scored,
                             bps=int(m.group(1)) if m else 0, stale=float(m.group(2)) if m else 0, transit=float(m.group(3)) if m else 0,
                             sent=int(m2.group(1)) if m2 else 0, received=int(m2.group(2)) if m2 else 0,
                             created=int(m3.group(1)) if m3 else 0, unknown=int(m3.group(2)) if m3 else 0,
                             items=int(m4[0].group(1)) if m4 else 0, steps=int(m4[0].group(2)) if m4 else 0))
        for r in rows:
            print(f"  own {r['engine']}: {r['events']} events in ~{r['seconds']:.0f} s = {r['rate']:.0f} events/s; HR@10 {r['hr']:.4f} over {r['scored']} scored;"
                  f" {r['items']} items ({r['created']} created from other engines' announcements, {r['unknown']} delta rows of unknown items); {r['steps']} training batches;"
                  f" item deltas sent {r['sent']} B, received {r['received']} B ({r['bps']} B/s through Redis); staleness max {r['stale']:.3f} s (transit max {r['transit']:.3f} s)")
        hits = sum(r["hr"] * r["scored"] for r in rows)
        scored = sum(r["scored"] for r in rows)
        print(f"  combined HR@10 = sum(HR_e * scored_e) / sum(scored_e) = {hits / max(1, scored):.4f} over {scored} scored events")
        print(f"  Redis used_memory: {run(['redis-cli', '-p', str(port), 'INFO', 'memory']).split('used_memory_human:')[1].split()[0]}")
        return hits / max(1, scored)

    runs = set(a.runs.split(",")) | ({"none"} if a.no_sync_run else set())
    one = engines("one engine", ["0-7"], 0) if "one" in runs else None
    two = engines("two engines", ["0-3", "4-7"], a.sync_every) if "two" in runs else None
    none = engines("two engines unshared", ["0-3", "4-7"], 0) if "none" in runs else None
    if one and two: print(f"\n2 engines / 1 engine HR@10: {two / one:.3f} ({(two / one - 1) * 100:+.1f}%)")
    if one and none: print(f"2 engines sharing nothing / 1 engine HR@10: {none / one:.3f} ({(none / one - 1) * 100:+.1f}%)")
finally:
    if a.keep_logs:
        os.makedirs(a.keep_logs, exist_ok=True)
        for f in os.listdir(work):
            if f.endswith(".log"): shutil.copy(os.path.join(work, f), a.keep_logs)
    redis.terminate(); redis.wait()
    shutil.rmtree(work, ignore_errors=True)
