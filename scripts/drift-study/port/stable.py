import csv, pickle, os, numpy as np
def stable_mask(name, d, base=os.environ.get('DRIFT_STUDY_DIR', '.')):
    pk = f'{base}/{name}.stable.pkl'
    if os.path.exists(pk): return pickle.load(open(pk, 'rb'))
    waves = []
    if not os.path.exists(f'{base}/{name}.truth.drifts.csv'): return np.ones(len(d['uid']), bool)
    for row in csv.DictReader(open(f'{base}/{name}.truth.drifts.csv')):
        if row['kind'] == 'seasonal': waves.append((float(row['start']), float(row['end']), set(row['to'].split('|'))))
    n = len(d['uid'])
    before = {}; inside = {}
    for row in csv.DictReader(open(f'{base}/{name}.truth.csv')):
        u = d['users'].get(row['user'])
        if u is None: continue
        t = float(row['time']); sh = float(row['share'])
        for k, (a, b, wc) in enumerate(waves):
            if row['category'] in wc:
                key = (u, k, t)
                if t <= a: before[(u, k)] = 0  # marker
                if a < t < b: inside[key] = inside.get(key, 0) + sh
                else: before.setdefault((u, k, 'v', t), 0); before[(u, k, 'v', t)] = before.get((u, k, 'v', t), 0) + sh
    # outside-wave max share per (u,k)
    outmax = {}
    for key, v in before.items():
        if len(key) == 4: outmax[(key[0], key[1])] = max(outmax.get((key[0], key[1]), 0), v)
    inseason = np.zeros(n, bool)
    for (u, k, t), v in inside.items():
        if v > outmax.get((u, k), 0) + 0.03: inseason[u] = True
    stable = ~np.isfinite(d['onset']) & ~inseason
    pickle.dump(stable, open(pk, 'wb'))
    return stable
