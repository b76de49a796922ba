#!/usr/bin/env python3
"""The best any change detector can do on a simulated scenario (issue 12): an oracle bound.

How the simulator makes a user's categories (Sources/InterestGraph/Simulation/ShopSimulator.swift):
at each session start it draws three *focus* categories i.i.d. from the user's true mixture at
that instant (`sampleFocus`, `GroundTruth.fill`); every view of the session is an item of one of
the three (`pickItem`: 0.6 / 0.25 / 0.15), and clicks, carts and purchases are further events on
the viewed item (the same category). Item, tier, funnel and timing draws do not depend on the
mixture. So everything any detector sees is the session times plus a random function of the
sessions' focus triples: the triples are a sufficient record of what the data says about a change.

The oracle here sees each session's focus triple directly (more than any detector sees) and knows
the user's exact pre-change mixture m0 and post-change mixture: m_end for an abrupt drift, the
exact linear ramp m0 + p(t) (m_end - m0) for a gradual one. Its test is the likelihood ratio of
the two: Page's CUSUM for abrupt drifts (Lorden 1971: asymptotically minimax delay at a given mean
time to false alarm; Moustakides 1986: exactly optimal), and for gradual ones the same maximum
over the unknown onset with the known ramp shape (the CUSUM/GLR of Lai 1998 for non-i.i.d.
alternatives). No onset knowledge: the statistic considers every onset, so it raises false
alarms on a stream that never changes, and those are what the threshold is set against.

Scoring is `eval --scenario`'s (ChangeEvaluation.swift): a drifting user is detected by the first
alarm at or after the drift's start, lag from the true crossover (0 when the alarm came between
start and crossover), nearest-rank percentiles with undetected users as infinite lags; drifts
whose crossover falls after the run's end are left out. False alarms: the same per-user tests run
on the user's *counterfactual stable stream* (the same session times, focus drawn from m0 all
along), per 1,000 user-days (first event to the end, or to the last event when that is more than
5 days before the end, as port/score.py counts stable users' days). Focus triples are random, so
every figure is pooled over replicate streams (seeded).

    python3 bound.py                 # the table for default, seasonal and small, and default's sweep
    python3 bound.py --self-check    # checks the oracle against the simulator and against theory
Inputs (per scripts/drift-study/README.md): DRIFT_STUDY_DIR holding NAME.csv, NAME.truth.csv
(`--truth-interval 12`) and NAME.truth.drifts.csv for each scenario. numpy only.
"""
import argparse
import calendar
import csv
import math
import os
import pickle
import sys
import tomllib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'port'))
import draws as DR  # noqa: E402  (session draws and drift truth of a simulated CSV, cached)
from score import pct  # noqa: E402  (nearest-rank percentile as eval: undetected = infinite)

REPO = os.path.dirname(os.path.dirname(HERE))
FOCUS = 3            # ShopSimulator.sampleFocus: three focus categories per session
SLOT = (0.6, 0.25, 0.15)  # ShopSimulator.pickItem: which focus a view comes from
GRID = 3600.0        # onset candidates for gradual drifts: every hour (and just before each session)
TARGET = dict(detected=295, median=36.0, p90=120.0, fa=1.0)  # issue 12 on `default`


# MARK: Scenario and ground truth

def scenario(name):
    """What the mixture reconstruction needs from sample-data/scenarios/NAME.toml."""
    with open(f'{REPO}/sample-data/scenarios/{name}.toml', 'rb') as f:
        s = tomllib.load(f)
    start = s['start']
    start = calendar.timegm(start.timetuple())
    cat = s.get('catalogue', {})
    categories = cat['departments'] * cat['categories_per_department'] * cat.get('subcategories_per_category', 1)
    return dict(start=start, end=start + s['days'] * 86400.0, categories=categories,
                exploration=s.get('users', {}).get('exploration', 0.05),
                focus={d['label']: d.get('focus', 0.75) for d in s.get('drift', [])})


def ramp(kind, start, end, t):
    """GroundTruth.UserDrift.progress: 0 before the start, 1 from the end, linear between."""
    t = np.asarray(t, float)
    if kind == 'abrupt' or end <= start:
        return (t >= start).astype(float)
    return np.clip((t - start) / (end - start), 0.0, 1.0)


def move(m0, frm, to, weights, amount):
    """GroundTruth.fill's drift at progress 1: `amount` of each `from` share to the `to` categories."""
    m = m0.copy()
    moved = amount * m0[frm].sum()
    m[frm] *= 1 - amount
    for c, w in zip(to, weights):
        m[c] += moved * w
    return m


def load(name, base):
    """Per drifting user (crossover before the run's end): session starts, exact m0 and m_end,
    drift times; plus the first event at or after each crossover (eval's first-event bound).
    Cached as NAME.bound.pkl next to the data."""
    pk = f'{base}/{name}.bound.pkl'
    if os.path.exists(pk) and os.path.getmtime(pk) >= os.path.getmtime(f'{base}/{name}.csv'):
        return pickle.load(open(pk, 'rb'))
    sc = scenario(name)
    d = DR.load(name, base)
    cats = d['cats']
    C = len(cats)
    if C != sc['categories']:
        sys.exit(f'{name}: {C} categories in the data, {sc["categories"]} in the scenario file')
    base_share = sc['exploration'] / C
    drifts = {}
    for row in csv.DictReader(open(f'{base}/{name}.truth.drifts.csv')):
        if row['kind'] == 'seasonal' or float(row['crossover']) >= sc['end']:
            continue
        to = [cats[x] for x in row['to'].split('|')]
        focus = sc['focus'].get(row['label'], 0.75)
        drifts[row['user']] = dict(
            uid=row['user'], kind=row['kind'], label=row['label'], start=float(row['start']), end=float(row['end']),
            cross=float(row['crossover']), amount=float(row['amount']), to=to,
            weights=[1.0] if len(to) == 1 else [focus, 1 - focus],
            frm=[cats[x] for x in row['from'].split('|') if x])
    # Checkpoints of the drifting users' true shares (only shares >= 0.005 are written).
    checkpoints = {u: {} for u in drifts}
    with open(f'{base}/{name}.truth.csv') as f:
        r = csv.reader(f)
        next(r)
        for u, t, c, s in r:
            if u in checkpoints:
                checkpoints[u].setdefault(float(t), {})[cats[c]] = float(s)
    # Raw events of drifting users: the first event at or after the crossover.
    first_after = {u: math.inf for u in drifts}
    with open(f'{base}/{name}.csv') as f:
        r = csv.reader(f)
        h = next(r)
        iu, it = h.index('user'), h.index('timestamp')
        for row in r:
            u = row[iu]
            if u in first_after and first_after[u] == math.inf and float(row[it]) >= drifts[u]['cross']:
                first_after[u] = float(row[it])
    sessions = {}
    for (t, u, c, new) in d['draws']:
        if new:
            sessions.setdefault(u, []).append(t)
    users = []
    for uid, dr in drifts.items():
        u = d['users'][uid]
        cps = checkpoints[uid]
        # The checkpoint with the least drift progress (before the start when there is one).
        t_ref = min(cps, key=lambda t: (ramp(dr['kind'], dr['start'], dr['end'], t), -t))
        p = float(ramp(dr['kind'], dr['start'], dr['end'], t_ref)) * dr['amount']
        listed = np.zeros(C, bool)
        m = np.full(C, base_share)
        for c, s in cps[t_ref].items():
            m[c], listed[c] = s, True
        # Undo the drift's part at that checkpoint (nothing when it precedes the start).
        if p > 0:
            # (a user who arrived after the last checkpoint before the drift: unwritten `from`
            # shares were base shares before it, written ones are undone)
            frm = [c for c in dr['frm'] if listed[c]]
            m[frm] /= 1 - p
            s_from = m[dr['frm']].sum()
            for c, w in zip(dr['to'], dr['weights']):
                m[c] -= p * s_from * w
        # Interests under 0.005 are not written: their mass is spread over the unlisted categories.
        residual = 1 - m.sum()
        if (~listed).any():
            m[~listed] += residual / (~listed).sum()
        m0 = m / m.sum()
        m1 = move(m0, dr['frm'], dr['to'], dr['weights'], dr['amount'])
        last, first = d['lastSeen'][u], d['firstSeen'][u]
        stop = sc['end'] if sc['end'] - last < 5 * 86400 else last
        users.append(dict(dr, u=u, m0=m0, m1=m1, residual=residual, t_ref=t_ref, checkpoints=cps,
                          times=np.array(sessions.get(u, []), float), days=max(0.0, stop - first) / 86400,
                          first_after=first_after[uid]))
    users.sort(key=lambda x: x['uid'])
    out = dict(name=name, users=users, categories=C, scenario=sc)
    pickle.dump(out, open(pk, 'wb'))
    return out


# MARK: The oracle test

def draw_focus(rng, mixtures):
    """Three categories per row of `mixtures` (n x C), i.i.d. from the row (ShopSimulator.sampleFocus)."""
    cum = np.cumsum(mixtures, axis=1)
    cum[:, -1] = 1.0
    u = rng.random((len(mixtures), FOCUS))
    return (cum[:, None, :] <= u[:, :, None]).sum(axis=2)


def onsets(user):
    """Candidate onsets: just before every session, and for a ramp every hour it could have begun."""
    t = user['times']
    nu = t - 0.5
    if user['kind'] != 'abrupt' and len(t):
        dur = user['end'] - user['start']
        nu = np.concatenate([nu, np.arange(t[0] - dur, t[-1], GRID)])
    return np.unique(nu)


def evidence(user, x, nu):
    """Cumulative log-likelihood ratio, session by session (rows), of "the drift began at nu[k]"
    (columns) against "no drift", for focus triples `x` (n x 3).
    - Complexity: O(sessions x onsets x 3)."""
    m0, delta = user['m0'], user['m1'] - user['m0']
    ratio = delta[x] / m0[x]                                   # n x 3: m(t)/m0 - 1 at full progress
    dur = user['end'] - user['start']
    lag = user['times'][:, None] - nu[None, :]                 # n x K
    p = (lag > 0).astype(float) if user['kind'] == 'abrupt' else np.clip(lag / max(dur, 1.0), 0, 1)
    llr = np.log1p(p[:, :, None] * ratio[:, None, :]).sum(axis=2)
    return np.cumsum(llr, axis=0)


def alarm_times(user, cum, nu, h):
    """Alarms of the test at threshold h: the maximum over onsets after the last alarm reaches h.
    After an alarm the test restarts (only onsets after it count), as the CUSUM restarts at 0."""
    t = user['times']
    out = []
    since = -math.inf
    while True:
        cols = nu >= since
        if not cols.any():
            return out
        stat = cum[:, cols].max(axis=1)
        hit = np.nonzero((stat >= h) & (t > since))[0]
        if not len(hit):
            return out
        out.append(t[hit[0]])
        since = t[hit[0]]


def replicate(user, rng, thresholds, changed):
    """One replicate stream of `user`: its first alarm at or after the drift's start per threshold
    (changed=True, the drifting stream), or its number of alarms per threshold (the stable stream)."""
    t = user['times']
    if not len(t):
        return [math.inf] * len(thresholds) if changed else [0] * len(thresholds)
    progress = ramp(user['kind'], user['start'], user['end'], t) if changed else np.zeros(len(t))
    mix = user['m0'][None, :] + progress[:, None] * (user['m1'] - user['m0'])[None, :]
    x = draw_focus(rng, mix)
    nu = onsets(user)
    cum = evidence(user, x, nu)
    out = []
    for h in thresholds:
        a = alarm_times(user, cum, nu, h)
        if changed:
            after = [s for s in a if s >= user['start']]
            out.append(after[0] if after else math.inf)
        else:
            out.append(len(a))
    return out


def lag_hours(user, alarm):
    return max(0.0, alarm - user['cross']) / 3600 if math.isfinite(alarm) else math.inf


def summary(lags, total):
    """Detected, median and p90 (hours; None = not reached) over `total` drifts, nearest rank."""
    found = [x for x in lags if math.isfinite(x)]
    return len(found), pct(found, total, 0.5), pct(found, total, 0.9)


def measure(data, thresholds, drift_reps, null_reps, seed):
    """Per threshold: pooled detected share, median and p90 lag (all, abrupt, gradual), the spread
    of the detected count over replicates, and false alarms per 1,000 counterfactual user-days."""
    users = data['users']
    rng = np.random.default_rng(seed)
    lags = [[[] for _ in users] for _ in thresholds]     # [h][user] -> lag per replicate
    for i, user in enumerate(users):
        for _ in range(drift_reps):
            for k, a in enumerate(replicate(user, rng, thresholds, True)):
                lags[k][i].append(lag_hours(user, a))
    alarms = np.zeros(len(thresholds))
    days = 0.0
    for user in users:
        for _ in range(null_reps):
            alarms += replicate(user, rng, thresholds, False)
            days += user['days']
    n = len(users)
    rows = []
    for k, h in enumerate(thresholds):
        row = dict(h=h, fa=alarms[k] / days * 1000 if days else 0.0, n=n, fa_count=int(alarms[k]), days=days)
        for part, keep in (('all', lambda u: True), ('abrupt', lambda u: u['kind'] == 'abrupt'),
                           ('gradual', lambda u: u['kind'] != 'abrupt')):
            idx = [i for i, u in enumerate(users) if keep(u)]
            pooled = [x for i in idx for x in lags[k][i]]
            found, med, p90 = summary(pooled, len(pooled))
            per_rep = [sum(math.isfinite(lags[k][i][r]) for i in idx) for r in range(drift_reps)]
            row[part] = dict(n=len(idx), detected=found / drift_reps, low=min(per_rep, default=0),
                             high=max(per_rep, default=0), median=med, p90=p90)
        rows.append(row)
    return rows


def first_event_bound(data):
    users = data['users']
    return summary([lag_hours(u, u['first_after']) for u in users], len(users))


# MARK: Report

def fmt(x):
    return 'not reached' if x is None else f'{x:.1f} h'


def print_row(label, part, fa):
    det = f'{part["detected"]:.1f}/{part["n"]} ({part["low"]}-{part["high"]})'
    print(f'{label:<24} {det:>22} {fmt(part["median"]):>12} {fmt(part["p90"]):>12} {fa:>8}')


def report(names, base, drift_reps, null_reps, seed, sweep):
    grid = [round(x, 2) for x in np.arange(2.0, 16.01, 0.5)]
    print(f'oracle bound: known m0 and m1 (exact ramp), focus triples seen directly; '
          f'{drift_reps} drifting and {null_reps} stable replicates per user, seed {seed}')
    print(f'threshold: the lowest (of {grid[0]}-{grid[-1]} nats, step 0.5) with at most '
          f'{TARGET["fa"]:g} false alarm per 1,000 user-days\n')
    print(f'{"scenario / part":<24} {"detected (range)":>22} {"median lag":>12} {"p90 lag":>12} {"FA/1000":>8}')
    curves = {}
    for name in names:
        data = load(name, base)
        rows = measure(data, grid, drift_reps, null_reps, seed)
        curves[name] = rows
        ok = [r for r in rows if r['fa'] <= TARGET['fa']]
        r = ok[0] if ok else rows[-1]
        fb = first_event_bound(data)
        n = len(data['users'])
        print(f'{name + " first event":<24} {f"{fb[0]}/{n}":>22} {fmt(fb[1]):>12} {fmt(fb[2]):>12} {"-":>8}')
        print_row(f'{name} oracle h={r["h"]:g}', r['all'], f'{r["fa"]:.2f}')
        for part in ('abrupt', 'gradual'):
            if r[part]['n']:
                print_row(f'  {part}', r[part], '')
    if sweep:
        print(f'\ndelay versus false alarms, {sweep} (oracle; FA per 1,000 counterfactual stable user-days)')
        print(f'{"threshold":<24} {"detected (range)":>22} {"median lag":>12} {"p90 lag":>12} {"FA/1000":>8}')
        for r in curves.get(sweep) or measure(load(sweep, base), grid, drift_reps, null_reps, seed):
            print_row(f'h={r["h"]:g} nats', r['all'], f'{r["fa"]:.2f}')
    return curves


# MARK: Self-check

def check(label, ok, detail):
    print(f'{"ok  " if ok else "FAIL"} {label}: {detail}')
    return ok


def synthetic_user(kind, times, m0, m1, start, end):
    return dict(kind=kind, times=np.asarray(times, float), m0=m0, m1=m1, start=start, end=end, cross=start)


def self_check(base):
    good = True
    rng = np.random.default_rng(1)
    C = 48
    m0 = np.full(C, 0.05 / C)
    m0[[0, 1, 7]] += 0.95 * np.array([0.6, 0.3, 0.1])     # three interests, departments of 6
    m0 /= m0.sum()
    # 1. A big abrupt change (top department to a new one) is found within a few sessions.
    m1 = move(m0, [0, 1, 2, 3, 4, 5], [30, 31], [0.75, 0.25], 0.9)
    times = np.arange(400) * 86400.0
    delays = []
    for _ in range(200):
        u = synthetic_user('abrupt', times, m0, m1, times[200] - 1, times[200] - 1)
        a = replicate(u, rng, [8.0], True)[0]
        delays.append((a - times[200]) / 86400 if math.isfinite(a) else math.inf)
    kl = float((FOCUS * m1 * np.log(m1 / m0)).sum())
    good &= check('big abrupt change', np.median(delays) <= 1 and np.percentile(delays, 90) <= 2,
                  f'median {np.median(delays):.0f}, p90 {np.percentile(delays, 90):.0f} sessions after the change '
                  f'(KL {kl:.1f} nats a session; Lorden h/KL = {8 / kl:.2f})')
    # 2. On stable streams the false-alarm rate respects the CUSUM bound ARL >= e^h (mean time to a
    #    false alarm, in sessions), and the matrix statistic equals Page's recursion.
    m_mild = move(m0, [0], [1], [1.0], 0.25)
    n = 20000
    u = synthetic_user('abrupt', np.arange(n) * 3600.0, m0, m_mild, 0, 0)
    x = draw_focus(rng, np.repeat(m0[None, :], n, axis=0))
    llr = np.log(m_mild[x] / m0[x]).sum(axis=1)
    page, s, page_alarms = [], 0.0, 0
    for h in (3.0, 4.0):
        s, count = 0.0, 0
        for v in llr:
            s = max(0.0, s + v)
            if s >= h:
                count, s = count + 1, 0.0
        page.append(count)
    # The matrix form on chunks (it is quadratic): 2,000 sessions at a time, same draws.
    chunk = 2000
    mat = [0, 0]
    for k in range(0, n, chunk):
        uu = dict(u, times=u['times'][k:k + chunk])
        nu = onsets(uu)
        cum = evidence(uu, x[k:k + chunk], nu)
        for j, h in enumerate((3.0, 4.0)):
            mat[j] += len(alarm_times(uu, cum, nu, h))
    good &= check('matrix statistic = Page recursion', all(abs(a - b) <= n // chunk for a, b in zip(mat, page)),
                  f'alarms at 3 / 4 nats: {mat} matrix (restarting every {chunk}) vs {page} recursion')
    arl = [n / max(c, 1) for c in page]
    good &= check('ARL >= e^h on stable streams', all(a >= math.exp(h) * 0.8 for a, h in zip(arl, (3.0, 4.0))),
                  f'ARL {arl[0]:.0f} and {arl[1]:.0f} sessions at 3 and 4 nats (e^h = {math.exp(3):.0f}, {math.exp(4):.0f})')
    # 3. A ramp: the onset maximum finds a gradual drift, and raises no more false alarms than
    #    the abrupt test to the ramp's end point on the same stable draws.
    g = synthetic_user('gradual', times[:300], m0, m1, times[150] - 1, times[150] - 1 + 6 * 86400)
    found = [replicate(g, rng, [8.0], True)[0] for _ in range(50)]
    lagd = [(a - times[150]) / 86400 for a in found if math.isfinite(a)]
    good &= check('gradual drift found on its ramp', len(lagd) == 50 and np.median(lagd) <= 6,
                  f'{len(lagd)}/50 found, median {np.median(lagd) if lagd else math.inf:.0f} days after the ramp starts (6-day ramp)')
    # 4. The reconstruction of each drifting user's mixture matches the simulator's checkpoints.
    for name in ('default', 'seasonal', 'small'):
        if not os.path.exists(f'{base}/{name}.truth.csv'):
            print(f'skip {name}: no {base}/{name}.truth.csv')
            continue
        data = load(name, base)
        worst, unlisted_over, checked, residual = 0.0, 0, 0, 0.0
        for user in data['users']:
            residual = max(residual, abs(user['residual']))
            for t, shares in user['checkpoints'].items():
                p = float(ramp(user['kind'], user['start'], user['end'], t))
                m = user['m0'] + p * (user['m1'] - user['m0'])
                for c, s in shares.items():
                    worst = max(worst, abs(math.log(m[c] / s)))
                    checked += 1
                listed = np.zeros(len(m), bool)
                listed[list(shares)] = True
                unlisted_over += int((m[~listed] >= 0.005 + 1e-4).sum())
        # The file rounds to 4 digits (1% of a 0.005 share) and leaves out shares under 0.005:
        # small interests' mass (at most `residual`) is spread over the categories not written.
        good &= check(f'{name}: mixtures match the truth file', worst <= 0.02 and unlisted_over == 0,
                      f'{checked} written shares at every checkpoint of the ramp, max |log(model/file)| {worst:.4f}; '
                      f'{unlisted_over} unwritten predicted >= 0.005; unwritten small interests at most {residual:.4f} of a mixture')
        # 5. The lag definition: the first-event bound equals `eval --scenario`'s.
        expected = dict(default=(300, 20.6, 82.5), seasonal=(134, 20.5, None), small=(65, 12.4, 41.5))[name]
        fb = first_event_bound(data)
        same = fb[0] == expected[0] and round(fb[1], 1) == expected[1] and \
            (fb[2] is None if expected[2] is None else round(fb[2], 1) == expected[2])
        good &= check(f'{name}: first-event bound as eval', same,
                      f'{fb[0]}/{len(data["users"])}, {fmt(fb[1])}, {fmt(fb[2])} (eval: {expected})')
        # 6. The focus model against the events: share of post-change sessions of abrupt drifters
        #    showing a target category, observed vs the focus model with its views.
        d = DR.load(name, base)
        abrupt = {user['u']: user for user in data['users'] if user['kind'] == 'abrupt'}
        sessions = {u: [] for u in abrupt}
        for (t, uu, c, new) in d['draws']:
            if uu in abrupt and t >= abrupt[uu]['start'] and (new or sessions[uu]):
                if new:
                    sessions[uu].append(set())
                sessions[uu][-1].add(c)
        obs, pred = [], []
        for uu, user in abrupt.items():
            sess = sessions[uu]
            for cs in sess:
                obs.append(bool(cs & set(user['to'])))
            k = len(sess)
            if k:
                pred.extend(views_show(rng, user['m1'], user['to'], k))
        if obs:
            o, p = float(np.mean(obs)), float(np.mean(pred))
            good &= check(f'{name}: focus model vs events', abs(o - p) <= 0.05,
                          f'{len(obs)} sessions after abrupt changes show a target category: {o:.3f} observed, {p:.3f} modelled')
    print('self-check', 'passed' if good else 'FAILED')
    return good


def views_show(rng, m, targets, sessions):
    """Whether each of `sessions` simulated sessions views a target category: three focus
    categories from m, 1 + geometric(mean 6) views, each from a focus by SLOT (re-picks and
    repeat purchases left out)."""
    x = draw_focus(rng, np.repeat(m[None, :], sessions, axis=0))
    out = []
    for row in x:
        views = 1 + min(int(rng.geometric(1 / 6)) - 1, 200)
        slots = rng.choice(3, size=views, p=SLOT)
        out.append(bool(set(row[slots]) & set(targets)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('names', nargs='*', default=['default', 'seasonal', 'small'])
    ap.add_argument('--dir', default=os.environ.get('DRIFT_STUDY_DIR', '.'))
    ap.add_argument('--drift-reps', type=int, default=20)
    ap.add_argument('--null-reps', type=int, default=40)
    ap.add_argument('--seed', type=int, default=12)
    ap.add_argument('--sweep', default='default', help='scenario for the delay-versus-false-alarm table ("" for none)')
    ap.add_argument('--self-check', action='store_true')
    a = ap.parse_args()
    if a.self_check:
        sys.exit(0 if self_check(a.dir) else 1)
    report(a.names, a.dir, a.drift_reps, a.null_reps, a.seed, a.sweep)


if __name__ == '__main__':
    main()
