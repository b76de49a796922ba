import math, numpy as np, draws as DR, stable as ST
def pct(vals, total, p):
    rank = max(1, math.ceil(p * total)); s = sorted(vals)
    return s[rank - 1] if rank <= len(s) else None
def run(name, make, hs, verbose=True, diag=None):
    d = DR.load(name); stable = ST.stable_mask(name, d)
    n = len(d['uid']); onset, cross = d['onset'], d['cross']
    dets = [make(d, h) for h in hs]
    first = [np.full(n, np.inf) for _ in hs]; fa = [0] * len(hs); right = [np.zeros(n, bool) for _ in hs]
    for (t, u, c, new) in d['draws']:
        for k, det in enumerate(dets):
            r = det.draw(u, c, t)
            if diag and k == 0: diag(det, u, c, t, r)
            if r is not None:
                if stable[u]: fa[k] += 1
                elif t >= onset[u] and first[k][u] == np.inf:
                    first[k][u] = t; right[k][u] = r[0] in d['targets'][u]
    end = max(d['lastSeen'].values())
    days = sum(max(0, (end if end - d['lastSeen'][u] < 5 * 86400 else d['lastSeen'][u]) - d['firstSeen'][u]) / 86400 for u in range(n) if stable[u])
    drifting = [u for u in range(n) if np.isfinite(onset[u])]
    def summ(f, members):
        hrs = [max(0, f[u] - cross[u]) / 3600 for u in members if np.isfinite(f[u])]
        return len(hrs), pct(hrs, len(members), .5), pct(hrs, len(members), .9)
    out = []
    for k, h in enumerate(hs):
        det_, med, p90 = summ(first[k], drifting)
        r = dict(h=h, det=det_, n=len(drifting), med=med, p90=p90, fa=fa[k] / days * 1000, nfa=fa[k], right=int(right[k].sum()), first=first[k])
        out.append(r)
        if verbose:
            f = lambda x: 'inf' if x is None else f'{x:.1f}'
            print(f'{name} h={h:5}: {det_}/{len(drifting)} med {f(med)} p90 {f(p90)} FA {r["fa"]:.2f} ({fa[k]})  right {r["right"]}', flush=True)
    return out
