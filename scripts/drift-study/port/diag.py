import sys, numpy as np, math, score, cusum, draws as DR
from collections import Counter
name = sys.argv[1]
d = DR.load(name); n = len(d['uid']); onset, cross = d['onset'], d['cross']
info = {}
after = Counter(); aftertgt = Counter(); afterdept = Counter(); sessafter = Counter()
def diag(det, u, c, t, r):
    if not np.isfinite(onset[u]): return
    st = det.U[u]
    if t < onset[u]:
        tg = d['targets'][u]
        info[u] = dict(warm=st.warm, rtot=st.rtot, nd=st.ndraws - 1, tin=sum(st.ref.get(x, 0) for x in tg) / max(st.rtot, 1e-9),
                       tdept_in=sum(m for k, m in st.ref.items() if d['catdep'][k] == d['catdep'][tg[0]]) / max(st.rtot, 1e-9))
res = score.run(name, lambda dd, h: cusum.Cusum(dd['catdep'], dd['ndep'], h=h), [6], diag=diag)[0]
for (t, u, c, new) in d['draws']:
    if np.isfinite(cross[u]) and t >= cross[u]:
        after[u] += 1; sessafter[u] += new
        if c in d['targets'][u]: aftertgt[u] += 1
first = res['first']
drifting = [u for u in range(n) if np.isfinite(onset[u])]
rows = []
for u in drifting:
    i = info.get(u, dict(warm=None, rtot=0, nd=0, tin=0, tdept_in=0))
    lag = (first[u] - cross[u]) / 3600 if np.isfinite(first[u]) else math.inf
    rows.append((u, max(lag, 0), i, after[u], aftertgt[u], sessafter[u]))
def bucket(r):
    u, lag, i, a, at, sa = r
    if i['warm'] is None: return 'no draw before onset'
    if not i['warm']: return 'cold at onset (<5 ref draws)'
    if at <= 2: return '<=2 target draws after crossover'
    if i['tdept_in'] > 0.15: return 'new dept already in ref (>15%)'
    return 'other'
for label, sel in [('missed', lambda r: r[1] == math.inf), ('slow >36h', lambda r: 36 < r[1] < math.inf), ('fast <=36h', lambda r: r[1] <= 36)]:
    rs = [r for r in rows if sel(r)]
    print(f'{label}: {len(rs)}', dict(Counter(bucket(r) for r in rs)))
print('cold at onset overall:', sum(1 for r in rows if r[2]['warm'] is False), ' nd distribution of cold:', sorted(r[2]['nd'] for r in rows if r[2]['warm'] is False))
if len(sys.argv) > 2:
    for r in sorted(rows, key=lambda r: r[1]):
        u, lag, i, a, at, sa = r
        print(d['uid'][u], 'grad' if d['grad'][u] else 'abr', f'lag {lag:.1f}', f"warm {i['warm']} rtot {i['rtot']:.1f} nd {i['nd']} tin {i['tin']:.2f} tdept {i['tdept_in']:.2f}", f'after {a} tgt {at} sess {sa}')
