import os, sys, csv, json, numpy as np, det, harness
from load import load
from collections import defaultdict
name = sys.argv[1]; args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
hs = json.loads(sys.argv[3]) if len(sys.argv) > 3 else [4,6,8,10]
d = load(name)
C = len(d['catdep']); expl = 0.05
first = {}
for row in csv.DictReader(open(os.path.join(os.environ.get('DRIFT_STUDY_DIR', '.'), name + '.truth.csv'))):
    u = d['users'].get(row['user'])
    if u is None: continue
    t = float(row['time'])
    if u not in first: first[u] = (t, {})
    if first[u][0] == t: first[u][1][d['cats'][row['category']]] = float(row['share'])
base = expl / C
class Oracle(det.Det):
    def p_dep(self, s, dd):
        sh = first.get(s['uid'], (0, {}))[1]
        return sum(sh.get(c, 0) for c in range(C) if self.dep[c] == dd) + base * self.dsize[dd]
    def p_leaf(self, s, c, dd):
        sh = first.get(s['uid'], (0, {}))[1]
        return (sh.get(c, 0) + base) / self.p_dep(s, dd)
    def event(self, u, t, c, a):
        s = self.st(u); s['uid'] = u; s['M'] = max(s['M'], 100)
        return super().event(u, t, c, a)
harness.run(name, lambda d, h: Oracle(d, h, **args), hs)
