# Extract session draws (SessionDraws semantics) + ground truth, cache as pickle.
import csv, pickle, os, sys, numpy as np
GAP = 1800
def load(name, base=os.environ.get('DRIFT_STUDY_DIR', '.')):
    pk = f'{base}/{name}.draws.pkl'
    if os.path.exists(pk): return pickle.load(open(pk, 'rb'))
    cats = {}; order = []
    # category dense order: department-major as in truth.csv first appearance
    import os as _os
    with open(f'{base}/{name}.truth.csv' if _os.path.exists(f'{base}/{name}.truth.csv') else '/dev/null') as f:
        r = csv.DictReader(f)
        first_t = None
        for row in r:
            c = row['category']
            if c not in cats: cats[c] = len(cats); order.append(c)
    deps = {}; catdep = []
    for c in order:
        d = c.split('/')[0]
        if d not in deps: deps[d] = len(deps)
        catdep.append(deps[d])
    users = {}; uid = []
    draws = []  # (t, u, c, sessionIndexWithinUser, newSession)
    last = {}; seen = {}; nev = {}
    firstSeen = {}; lastSeen = {}
    evs = []  # per event (t,u) for counting
    with open(f'{base}/{name}.csv') as f:
        r = csv.reader(f); h = next(r)
        iu, it, ic = h.index('user'), h.index('timestamp'), h.index('category')
        for row in r:
            u = row[iu]
            if u not in users: users[u] = len(users); uid.append(u)
            u = users[u]; t = float(row[it]); c = row[ic]
            if c not in cats: cats[c] = len(cats); order.append(c); d = c.split('/')[0]; deps.setdefault(d, len(deps)); catdep.append(deps[d])
            c = cats[c]
            if u not in firstSeen: firstSeen[u] = t
            lastSeen[u] = t
            lt = last.get(u, -1e18)
            new = False
            if not (abs(t - lt) <= GAP) and t > lt: seen[u] = []; new = True
            last[u] = max(lt, t)
            s = seen.setdefault(u, [])
            if c in s[-4:] if len(s) <= 4 else c in s[:4]:  # approx: slots reuse
                continue
            s.append(c)
            draws.append((t, u, c, new))
    n = len(uid)
    onset = np.full(n, np.inf); cross = np.full(n, np.inf); grad = np.zeros(n, bool); targets = [[] for _ in range(n)]; frm = [[] for _ in range(n)]
    seasonal = []
    for row in (csv.DictReader(open(f'{base}/{name}.truth.drifts.csv')) if _os.path.exists(f'{base}/{name}.truth.drifts.csv') else []):
        if row['kind'] == 'seasonal': seasonal.append(row); continue
        u = users.get(row['user'])
        if u is None: continue
        onset[u] = float(row['start']); cross[u] = float(row['crossover']); grad[u] = row['kind'] == 'gradual'
        targets[u] = [cats[x] for x in row['to'].split('|')]; frm[u] = [cats[x] for x in row['from'].split('|') if x]
    data = dict(draws=draws, cats=cats, order=order, catdep=catdep, ndep=len(deps), users=users, uid=uid, onset=onset, cross=cross,
                grad=grad, targets=targets, frm=frm, firstSeen=firstSeen, lastSeen=lastSeen, nseasonal=len(seasonal))
    pickle.dump(data, open(pk, 'wb'))
    return data
if __name__ == '__main__':
    for n in sys.argv[1:]:
        d = load(n); print(n, len(d['draws']), len(d['uid']), len(d['cats']), d['ndep'])
