import numpy as np, math
from load import load
def pct(vals, total, p):
    if total == 0: return None
    rank = max(1, math.ceil(p*total)); s = sorted(vals)
    return s[rank-1] if rank <= len(s) else None
def run(name, make, thresholds, verbose=True):
    d = load(name)
    T,U,C,A = d['T'], d['U'], d['C'], d['A']
    n = len(d['uid'])
    dets = [make(d, h) for h in thresholds]
    first = [np.full(n, np.inf) for _ in thresholds]
    fa = [0]*len(thresholds)
    right = [np.zeros(n,bool) for _ in thresholds]
    onset, cross, stable = d['onset'], d['cross'], d['stable']
    firstSeen = np.full(n, np.inf); last = np.zeros(n)
    firstAfter = np.full(n, np.inf)
    for i in range(len(T)):
        t = T[i]; u = int(U[i]); c = int(C[i]); a = int(A[i])
        if firstSeen[u] == np.inf: firstSeen[u] = t
        last[u] = t
        if t >= cross[u] and firstAfter[u] == np.inf: firstAfter[u] = t
        for k, det in enumerate(dets):
            r = det.event(u, t, c, a)
            if r is not None:
                if stable[u]: fa[k] += 1
                elif t >= onset[u] and first[k][u] == np.inf:
                    first[k][u] = t; right[k][u] = r in d['targets'][u]
    end = T.max()
    days = 0.0
    for u in range(n):
        if stable[u] and firstSeen[u] < np.inf:
            stop = end if end - last[u] < 5*86400 else last[u]
            days += max(0, stop - firstSeen[u]) / 86400
    drifting = [u for u in range(n) if np.isfinite(onset[u])]
    out = []
    def summ(f, members):
        hrs = [max(0, f[u]-cross[u])/3600 for u in members if np.isfinite(f[u])]
        return len(hrs), pct(hrs, len(members), .5), pct(hrs, len(members), .9)
    b = summ(firstAfter, drifting)
    if verbose: print(f'{name}: {len(drifting)} drifting, {days:.0f} stable user-days; bound {b}')
    for k, h in enumerate(thresholds):
        det_, med, p90 = summ(first[k], drifting)
        ab = summ(first[k], [u for u in drifting if not d['grad'][u]])
        gr = summ(first[k], [u for u in drifting if d['grad'][u]])
        r = dict(h=h, det=det_, n=len(drifting), med=med, p90=p90, fa=fa[k]/days*1000 if days else 0, right=int(right[k].sum()), ab=ab, gr=gr)
        out.append(r)
        if verbose:
            f = lambda x: 'inf' if x is None else f'{x:.1f}'
            print(f'  h={h:5}: {det_}/{len(drifting)} med {f(med)} p90 {f(p90)} FA {r["fa"]:.2f}  right {r["right"]}  abrupt {ab[0]} {f(ab[1])} gradual {gr[0]} {f(gr[1])}')
    return out
