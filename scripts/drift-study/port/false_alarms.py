# The context (recent draws, reference mass) of every alarm on a stable user and every true alarm.
import sys, json, numpy as np, cusum, draws as DR, stable as ST
from collections import defaultdict, Counter
name = sys.argv[1]; kw = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
d = DR.load(name); stable = ST.stable_mask(name, d)
det = cusum.Cusum(d['catdep'], d['ndep'], **kw)
hist = defaultdict(list)
rows = []
for (t, u, c, new) in d['draws']:
    st = det.U.get(u); rt = st.rtot if st else 0
    r = det.draw(u, c, t)
    hist[u].append((t, c, new))
    if r and (stable[u] or (np.isfinite(d['onset'][u]) and t >= d['onset'][u])):
        # draws in the last 72h
        recent = [(round((t - x[0]) / 3600), d['order'][x[1]], 'S' if x[2] else '') for x in hist[u][-6:]]
        rows.append(('FA' if stable[u] else 'TRUE', d['uid'][u], f'ref {rt:.1f}', f'n {len(hist[u])}', recent))
fa = [r for r in rows if r[0] == 'FA']
print('FA', len(fa), 'ref mass buckets', Counter(min(int(float(r[2].split()[1]) // 5) * 5, 40) for r in fa))
tr = [r for r in rows if r[0] == 'TRUE']
print('TRUE', len(tr), 'ref mass buckets', Counter(min(int(float(r[2].split()[1]) // 5) * 5, 40) for r in tr))
for r in fa[:25]: print(*r)
