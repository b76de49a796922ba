# Fit the within-session Dirichlet-multinomial concentration at department level on stable users.
from load import load
import numpy as np, math, sys
from collections import defaultdict
name = sys.argv[1] if len(sys.argv) > 1 else 'default'
d = load(name); T,U,C = d['T'], d['U'], d['C']; dep = d['catdep']; st = d['stable']
tot = defaultdict(lambda: defaultdict(float))
for i in range(len(T)):
    u = int(U[i])
    if st[u]: tot[u][int(dep[C[i]])] += 1
# sessions as lists of departments
sess = []; last = {}; cur = {}
for i in range(len(T)):
    u = int(U[i])
    if not st[u]: continue
    t = T[i]
    if u not in last or t - last[u] > 1800:
        if u in cur and cur[u]: sess.append((u, cur[u]))
        cur[u] = []
    last[u] = t; cur[u].append(int(dep[C[i]]))
for u, s in cur.items():
    if s: sess.append((u, s))
print(len(sess), 'sessions; mean events', np.mean([len(s) for _,s in sess]))
for alpha in [0.1, 0.2, 0.3, 0.5, 1, 2, 4, 8, 1e6]:
    ll = 0
    for u, s in sess:
        tt = sum(tot[u].values()); n = defaultdict(int)
        for k, dd in enumerate(s):
            p = tot[u][dd]/tt
            ll += math.log((alpha*p + n[dd])/(alpha + k)); n[dd] += 1
    print(alpha, round(ll))
