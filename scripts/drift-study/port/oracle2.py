import os, sys, csv, json, numpy as np, cusum, score, draws as DR
name = sys.argv[1]; hs = json.loads(sys.argv[2]); kw = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
d = DR.load(name); C = len(d['order'])
first = {}
for row in csv.DictReader(open(os.path.join(os.environ.get('DRIFT_STUDY_DIR', '.'), name + '.truth.csv'))):
    u = d['users'].get(row['user'])
    if u is None: continue
    t = float(row['time'])
    if u not in first: first[u] = (t, {})
    if first[u][0] == t: first[u][1][d['cats'][row['category']]] = float(row['share'])
expl = kw.pop('expl', 0.05)
class O(cusum.Cusum):
    def p0(self, st, c):
        return first.get(st.uid, (0, {}))[1].get(c, expl / C)
    def draw(self, u, c, t):
        st = self.U.get(u)
        if st is None: st = self.U[u] = cusum.User(); st.uid = u
        st.warm = True; st.rtot = max(st.rtot, 100)
        return super().draw(u, c, t)
cusum.User.__slots__  # noqa
score.run(name, lambda dd, h: O(dd['catdep'], dd['ndep'], h=h, **kw), hs)
