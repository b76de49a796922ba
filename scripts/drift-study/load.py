import csv, math, numpy as np, pickle, os, sys
GAP = 1800
def load(name, base=os.environ.get('DRIFT_STUDY_DIR', '.')):
    pk = f'{base}/{name}.pkl'
    if os.path.exists(pk): return pickle.load(open(pk,'rb'))
    path = f'{base}/{name}.csv' if os.path.exists(f'{base}/{name}.csv') else name
    cats = {}; deps = {}; catdep = []
    users = {}; uid = []
    T=[];U=[];C=[];A=[]
    act = {'view':0,'click':1,'cart':2,'purchase':3}
    with open(path) as f:
        r = csv.reader(f); h = next(r)
        iu, it, ia, ic = h.index('user'), h.index('timestamp'), h.index('action'), h.index('category')
        for row in r:
            c = row[ic]
            if c not in cats:
                cats[c] = len(cats); d = c.split('/')[0]
                if d not in deps: deps[d] = len(deps)
                catdep.append(deps[d])
            u = row[iu]
            if u not in users: users[u] = len(users); uid.append(u)
            T.append(float(row[it])); U.append(users[u]); C.append(cats[c]); A.append(act.get(row[ia], 0))
    data = dict(T=np.array(T), U=np.array(U, dtype=np.int32), C=np.array(C, dtype=np.int32), A=np.array(A, dtype=np.int8),
                cats=cats, catdep=np.array(catdep), ndep=len(deps), users=users, uid=uid)
    # truth
    tp = f'{base}/{name}.truth.drifts.csv'
    n = len(uid)
    onset = np.full(n, np.inf); cross = np.full(n, np.inf); grad = np.zeros(n, bool); targets=[[] for _ in range(n)]
    drifting = np.zeros(n, bool); seasons=[]
    end = None
    if os.path.exists(tp):
        for row in csv.DictReader(open(tp)):
            if row['kind'] == 'seasonal':
                seasons.append((float(row['start']), float(row['end']), set(row['to'].split('|')))); continue
            u = users.get(row['user'])
            if u is None: continue
            drifting[u] = True
            cr = float(row['crossover'])
            onset[u] = float(row['start']); cross[u] = cr; grad[u] = row['kind']=='gradual'
            targets[u] = [cats[x] for x in row['to'].split('|') if x in cats]
        # seasonal membership from truth shares: all of a wave's categories hold a visible share inside the wave
        inseason = np.zeros(n, bool)
        if seasons:
            share = {}
            for row in csv.DictReader(open(f'{base}/{name}.truth.csv')):
                t = float(row['time'])
                for (s0, s1, wc) in seasons:
                    if s0 < t < s1 and row['category'] in wc and float(row['share']) >= 0.004:
                        share[(row['user'], t, s0)] = share.get((row['user'], t, s0), 0) + 1
            for (uu, t, s0), k in share.items():
                for (a0, a1, wc) in seasons:
                    if a0 == s0 and k >= len(wc) and uu in users: inseason[users[uu]] = True
        data['stable'] = ~drifting & ~inseason
    else:
        data['stable'] = np.ones(n, bool)
    data.update(onset=onset, cross=cross, grad=grad, targets=targets)
    pickle.dump(data, open(pk,'wb'))
    return data
