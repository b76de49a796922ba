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

With less knowledge (all still know m0): the same oracle seeing only each session's views (exact
likelihood given three focus slots: the bound for detectors reading the events); one knowing only
the simulator's family of drifts, not the target (a prior-weighted mixture over targets); that
mixture test on the simulator's real events (steps only, false alarms on the real stable users);
and the same with m0 learned from the user's own sessions (a real, untuned detector).

Scoring is `eval --scenario`'s (ChangeEvaluation.swift): a drifting user is detected by the first
alarm at or after the drift's start, lag from the true crossover (0 when the alarm came between
start and crossover), nearest-rank percentiles with undetected users as infinite lags; drifts
whose crossover falls after the run's end are left out. False alarms: the same per-user tests run
on the user's *counterfactual stable stream* (the same session times, focus drawn from m0 all
along), per 1,000 user-days (first event to the end, or to the last event when that is more than
5 days before the end, as port/score.py counts stable users' days). Focus triples are random, so
every figure is pooled over replicate streams (seeded).

    python3 bound.py                 # the table for default, seasonal and small, and default's sweeps
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
    out = dict(name=name, users=users, categories=C, scenario=sc, catdep=np.array(d['catdep']))
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


def family(user, catdep, pair_share=0.8):
    """What a detector could know about this simulator's drifts without knowing the target: every
    drift moves `amount` of the user's top department (`from`, all its categories; the simulator
    never targets that department) either to one category (weight 1) or to a main and a second
    category of one department (`focus`, 1 - `focus`), with the user's ramp shape. Prior: uniform
    over the other departments, then `pair_share` uniform over ordered pairs, the rest over single
    categories. Returns the pieces `evidence_family` needs."""
    m0 = user['m0']
    top = catdep[int(np.argmax(m0))]
    frm = np.nonzero(catdep == top)[0]
    others = [d for d in np.unique(catdep) if d != top]
    members = {d: list(np.nonzero(catdep == d)[0]) for d in others}
    w = user['weights'][0] if len(user['weights']) == 2 else 0.75
    return dict(isfrom=np.isin(np.arange(len(m0)), frm), moved=user['amount'] * m0[frm].sum(),
                focus=w, members=members, dept=catdep, n_dept=len(others), pair_share=pair_share)


def evidence_family(user, x, nu, fam):
    """Like `evidence`, for "the user drifted, to some target of `fam`" against "no drift": the log
    of the prior-weighted mixture of the alternatives' likelihood ratios, per session (rows) and
    onset (columns). Only alternatives naming a drawn category differ from the from-term alone,
    so they are summed explicitly and all the others as one block.
    - Complexity: O(sessions x onsets x alternatives naming a drawn category)."""
    m0, a = user['m0'], user['amount']
    dur = user['end'] - user['start']
    lag = user['times'][:, None] - nu[None, :]
    p = (lag > 0).astype(float) if user['kind'] == 'abrupt' else np.clip(lag / max(dur, 1.0), 0, 1)
    base = np.cumsum(fam['isfrom'][x].sum(axis=1)[:, None] * np.log1p(-a * p), axis=0)
    drawn = sorted(set(int(c) for c in np.unique(x)) - set(np.nonzero(fam['isfrom'])[0]))
    roles = dict(main=fam['focus'], second=1 - fam['focus'], single=1.0)
    gain = {}
    for c in drawn:
        count = (x == c).sum(axis=1)[:, None]
        for role, w in roles.items():
            gain[c, role] = np.cumsum(count * np.log1p(p * fam['moved'] * w / m0[c]), axis=0)
    terms, weights = [], []
    for d, cs in fam['members'].items():
        k = len(cs)
        w_pair = fam['pair_share'] / fam['n_dept'] / (k * (k - 1)) if k > 1 else 0.0
        w_single = (1 - fam['pair_share'] if k > 1 else 1.0) / fam['n_dept'] / k
        for c1 in cs:
            if c1 in drawn:
                terms.append(gain[c1, 'single'])
                weights.append(w_single)
            for c2 in cs:
                if c2 != c1 and (c1 in drawn or c2 in drawn):
                    g = gain[c1, 'main'] if c1 in drawn else 0.0
                    terms.append(g + (gain[c2, 'second'] if c2 in drawn else 0.0))
                    weights.append(w_pair)
    rest = max(0.0, 1.0 - sum(weights))
    if not terms:
        return base + math.log(rest) if rest > 0 else base
    stack = np.stack([np.broadcast_to(np.asarray(t, float), base.shape) for t in terms])
    logw = np.log(np.array(weights))[:, None, None]
    top = stack.max(axis=0)
    total = (np.exp(stack + logw - top) ).sum(axis=0) + rest * np.exp(-top)
    return base + top + np.log(total)


def draw_views(rng, x):
    """The views of sessions with focus triples `x`: 1 + geometric (mean 6, at most 201) views,
    each of a focus picked by SLOT (ShopSimulator.startSession, pickItem); per session the view
    counts by category, as `session_terms` reads them."""
    out = []
    for row in x:
        views = 1 + min(int(rng.geometric(1 / 6)) - 1, 200)
        picked = row[rng.choice(3, size=views, p=SLOT)]
        cs, n = np.unique(picked, return_counts=True)
        out.append(dict(zip(cs.tolist(), n.tolist())))
    return out


def evidence_views(user, sessions, nu):
    """Like `evidence` when the test sees each session's views instead of its focus triple (the
    exact likelihood of `session_terms`): what a detector reading the events could know at best.
    - Complexity: O(sessions x onsets x slot assignments)."""
    m0, delta = user['m0'], user['m1'] - user['m0']
    dur = user['end'] - user['start']
    lag = user['times'][:, None] - nu[None, :]
    p = (lag > 0).astype(float) if user['kind'] == 'abrupt' else np.clip(lag / max(dur, 1.0), 0, 1)
    llr = np.zeros(p.shape)
    for i, counts in enumerate(sessions):
        seen, assign, weight = session_terms(counts)
        w0, dw = np.zeros(4), np.zeros(4)
        w0[:len(seen)], dw[:len(seen)] = m0[seen], delta[seen]
        w0[3], dw[3] = 1 - m0[seen].sum(), -delta[seen].sum()
        w = w0[None, :] + p[i][:, None] * dw[None, :]                       # onsets x 4
        pk = (w[:, assign].prod(axis=2) * weight[None, :]).sum(axis=1)
        llr[i] = np.log(pk) - np.log((weight * w0[assign].prod(axis=1)).sum())
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


def replicate(user, rng, thresholds, changed, fam=None, views=False):
    """One replicate stream of `user`: its first alarm at or after the drift's start per threshold
    (changed=True, the drifting stream), or its number of alarms per threshold (the stable stream).
    With `fam` the test does not know the target (`evidence_family`), else it knows m1; with
    `views` it sees the sessions' views, not their focus triples (`evidence_views`)."""
    t = user['times']
    if not len(t):
        return [math.inf] * len(thresholds) if changed else [0] * len(thresholds)
    progress = ramp(user['kind'], user['start'], user['end'], t) if changed else np.zeros(len(t))
    mix = user['m0'][None, :] + progress[:, None] * (user['m1'] - user['m0'])[None, :]
    x = draw_focus(rng, mix)
    nu = onsets(user)
    if views:
        cum = evidence_views(user, draw_views(rng, x), nu)
    else:
        cum = evidence(user, x, nu) if fam is None else evidence_family(user, x, nu, fam)
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


def measure(data, thresholds, drift_reps, null_reps, seed, known=True, views=False):
    """Per threshold: pooled detected share, median and p90 lag (all, abrupt, gradual), the spread
    of the detected count over replicates, and false alarms per 1,000 counterfactual user-days.
    known=False: the test does not know the target (`family`); views=True: it sees views."""
    users = data['users']
    rng = np.random.default_rng(seed)
    fams = [None if known else family(u, data['catdep']) for u in users]
    lags = [[[] for _ in users] for _ in thresholds]     # [h][user] -> lag per replicate
    for i, user in enumerate(users):
        for _ in range(drift_reps):
            for k, a in enumerate(replicate(user, rng, thresholds, True, fams[i], views)):
                lags[k][i].append(lag_hours(user, a))
    alarms = np.zeros(len(thresholds))
    days = 0.0
    for i, user in enumerate(users):
        for _ in range(null_reps):
            alarms += replicate(user, rng, thresholds, False, fams[i], views)
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


# MARK: The same test on the simulator's events

def load_events(name, base):
    """Every user's sessions as the views' category counts (clicks, carts and purchases repeat a
    viewed item: no new category), the session's start and last view; a session's first view of
    an item the user bought before is left out (a consumable's repeat: not drawn from the focus).
    Plus each user's true mixture at their first checkpoint (stable users' mixtures do not move;
    drifting users' m0 comes from `load`). Cached as NAME.events.pkl."""
    pk = f'{base}/{name}.events.pkl'
    if os.path.exists(pk) and os.path.getmtime(pk) >= os.path.getmtime(f'{base}/{name}.csv'):
        return pickle.load(open(pk, 'rb'))
    data = load(name, base)
    d = DR.load(name, base)
    cats = d['cats']
    sessions, last, bought = {}, {}, {}
    with open(f'{base}/{name}.csv') as f:
        r = csv.reader(f)
        h = next(r)
        iu, ii, it, ia, ic = (h.index(k) for k in ('user', 'item', 'timestamp', 'action', 'category'))
        for row in r:
            u, t = row[iu], float(row[it])
            if t - last.get(u, -math.inf) > DR.GAP:
                sessions.setdefault(u, []).append([t, t, {}, True])
            last[u] = t
            s = sessions[u][-1]
            if row[ia] == 'view':
                first = s[3]
                s[3] = False
                if first and row[ii] in bought.get(u, ()):
                    continue
                c = cats[row[ic]]
                s[2][c] = s[2].get(c, 0) + 1
                s[1] = t
            elif row[ia] == 'purchase':
                bought.setdefault(u, set()).add(row[ii])
    mixtures = {}
    sc = data['scenario']
    base_share = sc['exploration'] / data['categories']
    with open(f'{base}/{name}.truth.csv') as f:
        r = csv.reader(f)
        next(r)
        first_time = {}
        for u, t, c, share in r:
            if first_time.setdefault(u, t) == t:
                mixtures.setdefault(u, {})[cats[c]] = float(share)
    m0 = {}
    for u, listed in mixtures.items():
        m = np.full(data['categories'], base_share)
        mask = np.zeros(len(m), bool)
        for c, share in listed.items():
            m[c], mask[c] = share, True
        if (~mask).any():
            m[~mask] += (1 - m.sum()) / (~mask).sum()
        m0[u] = m / m.sum()
    for user in data['users']:
        m0[user['uid']] = user['m0']
    out = dict(sessions=sessions, m0=m0)
    pickle.dump(out, open(pk, 'wb'))
    return out


# The 3^3 ways three focus slots can take the (up to) three categories seen or an unseen one (3).
ASSIGN = np.array([(a, b, c) for a in range(4) for b in range(4) for c in range(4)])


def session_terms(counts):
    """For a session's view counts {category: n}: its categories (at most 3, the most viewed) and
    the weight of each slot assignment, prod over seen categories of (sum of their slots' view
    probabilities)^n; P(views | m) = sum_a weight_a prod_s w_m[a_s] with w_m the seen categories'
    shares and (index 3) the unseen rest."""
    seen = sorted(counts, key=lambda c: -counts[c])[:3]
    k = np.ones(len(ASSIGN))
    for j, c in enumerate(seen):
        k *= ((ASSIGN == j).astype(float) @ np.array(SLOT)) ** counts[c]
    # (a seen category no slot holds gets 0; slots may not name a seen index beyond the seen ones)
    keep = (k > 0) & ~np.isin(ASSIGN, list(range(len(seen), 3))).any(axis=1)
    return seen, ASSIGN[keep], k[keep]


def roles(catdep, focus, pair_share):
    """The target-unknown family over every department: per alternative the share of the moved
    mass each category receives (J x C), its department, and its log prior weight (uniform over
    the departments other than the user's top one, which `events_oracle` masks per session)."""
    deps = np.unique(catdep)
    share, prior, dept = [], [], []
    for d in deps:
        cs = np.nonzero(catdep == d)[0]
        k = len(cs)
        for c1 in cs:
            row = np.zeros(len(catdep))
            row[c1] = 1.0
            share.append(row)
            dept.append(d)
            prior.append((1 - pair_share if k > 1 else 1.0) / (len(deps) - 1) / k)
            for c2 in cs:
                if c2 != c1:
                    row = np.zeros(len(catdep))
                    row[c1], row[c2] = focus, 1 - focus
                    share.append(row)
                    dept.append(d)
                    prior.append(pair_share / (len(deps) - 1) / (k * (k - 1)))
    return np.array(share), np.array(dept), np.log(np.array(prior))


def events_oracle(name, base, thresholds, pair_share=0.8, reference='truth', lag=3, alpha=1.0, exploration=0.05):
    """The target-unknown test on the simulator's own events, counted exactly like
    `eval --scenario` (false alarms on the stable users' real streams). Steps only (a detector
    that does not know which drifts ramp); the exact likelihood of each session's views.
    reference='truth': each user's TRUE m0, what a detector with a perfect reference and the right
    family of changes would score. reference='learned': a real detector: m0 estimated from the
    user's own sessions up to `lag` sessions back (each category seen in a session counts once),
    `exploration`/C + (1 - `exploration`) (n_c + `alpha`/C) / (N + `alpha`)."""
    data = load(name, base)
    ev = load_events(name, base)
    d = DR.load(name, base)
    import stable as ST
    stable = ST.stable_mask(name, d)
    catdep = data['catdep']
    C = len(catdep)
    drift = {u['uid']: u for u in data['users']}
    end = data['scenario']['end']
    first = [dict() for _ in thresholds]
    false_alarms = np.zeros(len(thresholds))
    days = 0.0
    share, share_dept, logprior = roles(catdep, 0.75, pair_share)
    for uid, sess in ev['sessions'].items():
        u = d['users'][uid]
        is_drift = uid in drift
        if not (is_drift or stable[u]) or uid not in ev['m0']:
            continue
        amount = drift[uid]['amount'] if is_drift else 0.9
        counts_so_far = np.zeros(C)
        history = []
        starts, stops, llr = [], [], []
        for (t0, t1, counts, _) in sess:
            if not counts:
                continue
            if reference == 'truth':
                m0 = ev['m0'][uid]
            else:
                if len(history) > lag:
                    counts_so_far[list(history[-lag - 1])] += 1
                n = counts_so_far.sum() if len(history) > lag else 0.0
                m0 = exploration / C + (1 - exploration) * (counts_so_far + alpha / C) / (n + alpha)
            top = catdep[int(np.argmax(m0))]
            isfrom = catdep == top
            moved = amount * m0[isfrom].sum()
            seen, assign, weight = session_terms(counts)
            history.append(seen)
            wz = np.zeros(4)
            wz[:len(seen)] = m0[seen]
            wz[3] = 1 - m0[seen].sum()
            wa = np.zeros((len(share), 4))
            wa[:, :len(seen)] = m0[seen] * np.where(isfrom[seen], 1 - amount, 1.0) + moved * share[:, seen]
            wa[:, 3] = 1 - wa[:, :3].sum(axis=1)
            p0 = (weight * wz[assign].prod(axis=1)).sum()
            p1 = (wa[:, assign].prod(axis=2) * weight[None, :]).sum(axis=1)
            starts.append(t0)
            stops.append(t1)
            # (the simulator never moves a department into itself: those alternatives are out)
            llr.append(np.where(share_dept == top, -1e3, np.log(np.maximum(p1, 1e-300)) - np.log(p0)))
        if not llr:
            continue
        times = np.array(stops)
        nu = np.array(starts) - 0.5
        cum = np.vstack([np.zeros(len(logprior)), np.cumsum(np.array(llr), axis=0)])   # (n+1) x J
        n = len(times)
        seg = cum[1:, None, :] - cum[None, :-1, :] + logprior[None, None, :]          # n x n x J
        top_ = seg.max(axis=2, keepdims=True)
        stat = (top_[:, :, 0] + np.log(np.exp(seg - top_).sum(axis=2)))
        stat[np.triu_indices(n, 1)] = 0.0                                          # onsets after the session
        user = dict(times=times)
        for k, h in enumerate(thresholds):
            alarms = alarm_times(user, stat, nu, h)
            if is_drift:
                after = [a for a in alarms if a >= drift[uid]['start']]
                first[k][uid] = after[0] if after else math.inf
            else:
                false_alarms[k] += len(alarms)
        if not is_drift:
            f0, l0 = d['firstSeen'][u], d['lastSeen'][u]
            days += max(0.0, (end if end - l0 < 5 * 86400 else l0) - f0) / 86400
    rows = []
    users = data['users']
    for k, h in enumerate(thresholds):
        row = dict(h=h, fa=false_alarms[k] / days * 1000, fa_count=int(false_alarms[k]), days=days)
        for part, keep in (('all', lambda x: True), ('abrupt', lambda x: x['kind'] == 'abrupt'),
                           ('gradual', lambda x: x['kind'] != 'abrupt')):
            members = [x for x in users if keep(x)]
            found, med, p90 = summary([lag_hours(x, first[k].get(x['uid'], math.inf)) for x in members], len(members))
            row[part] = dict(n=len(members), detected=float(found), low=found, high=found, median=med, p90=p90)
        rows.append(row)
    return rows


# MARK: Report

def fmt(x):
    return 'not reached' if x is None else f'{x:.1f} h'


def print_row(label, part, fa):
    det = f'{part["detected"]:.1f}/{part["n"]} ({part["low"]}-{part["high"]})'
    print(f'{label:<48} {det:>22} {fmt(part["median"]):>12} {fmt(part["p90"]):>12} {fa:>8}'.rstrip())


TESTS = {
    'known': 'oracle, target known',
    'views': 'oracle on views, target known',
    'unknown': 'oracle, target unknown',
    'events': 'true m0 on the events',
    'learned': 'learned m0 on the events',
}


def curve(test, data, name, base, grid, drift_reps, null_reps, seed):
    if test in ('events', 'learned'):
        return events_oracle(name, base, grid, reference='truth' if test == 'events' else 'learned')
    return measure(data, grid, drift_reps, null_reps, seed, known=test != 'unknown', views=test == 'views')


def report(names, base, drift_reps, null_reps, seed, sweep):
    grid = [round(x, 2) for x in np.arange(2.0, 16.01, 0.5)]
    print(f"""Tests (all know each user's true pre-change mixture m0):
  oracle, target known:   sees each session's three focus categories; knows m1 and the exact ramp
                          (Page's CUSUM / onset-maximised likelihood ratio): no detector can do better
  oracle on views, target known: the same seeing only each session's views (exact likelihood):
                          no detector reading the events can do better
  oracle, target unknown: the same, knowing only the drift family (90% of the top department moves
                          to one category, or 75/25 to two, of another department; the ramp shape)
  true m0 on the events:  the target-unknown test (steps only) on the simulator's real events (each
                          session's views, exact likelihood), false alarms on the real stable users
  learned m0 on the events: the same with m0 estimated from the user's own sessions (3 sessions
                          late, 5% exploration floor): a real detector, untuned
Oracles: {drift_reps} drifting and {null_reps} stable (counterfactual: same sessions, no drift) replicate
streams per drifting user, seed {seed}; detected = mean over replicates (range). Threshold: the
lowest of {grid[0]}-{grid[-1]} nats (step 0.5) with at most {TARGET["fa"]:g} false alarm per 1,000 stable user-days.
""")
    head = f'{"scenario / test":<48} {"detected (range)":>22} {"median lag":>12} {"p90 lag":>12} {"FA/1000":>8}'
    print(head)
    curves = {}
    for name in names:
        data = load(name, base)
        fb = first_event_bound(data)
        n = len(data['users'])
        print(f'{name + ": first event (eval)":<48} {f"{fb[0]}/{n}":>22} {fmt(fb[1]):>12} {fmt(fb[2]):>12} {"-":>8}')
        for test, label in TESTS.items():
            rows = curve(test, data, name, base, grid, drift_reps, null_reps, seed)
            curves[name, test] = rows
            ok = [r for r in rows if r['fa'] <= TARGET['fa']]
            r = ok[0] if ok else rows[-1]
            print_row(f'{name}: {label} h={r["h"]:g}', r['all'], f'{r["fa"]:.2f}')
            for part in ('abrupt', 'gradual'):
                if r[part]['n']:
                    print_row(f'  {part}', r[part], '')
            sys.stdout.flush()
    if sweep:
        for test, label in TESTS.items():
            print(f'\ndelay versus false alarms, {sweep}: {label} (FA per 1,000 stable user-days)')
            print(head.replace('scenario / test', 'threshold      '))
            rows = curves.get((sweep, test)) or curve(test, load(sweep, base), sweep, base, grid, drift_reps, null_reps, seed)
            for r in rows:
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
    seen_views = []
    for _ in range(100):
        u = synthetic_user('abrupt', times, m0, m1, times[200] - 1, times[200] - 1)
        a = replicate(u, rng, [8.0], True, views=True)[0]
        seen_views.append((a - times[200]) / 86400 if math.isfinite(a) else math.inf)
    good &= check('big abrupt change, views only', np.median(seen_views) <= 1 and np.percentile(seen_views, 90) <= 3,
                  f'median {np.median(seen_views):.0f}, p90 {np.percentile(seen_views, 90):.0f} sessions after the change')
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
    # 3. A ramp: the onset maximum finds a gradual drift during its ramp.
    g = synthetic_user('gradual', times[:300], m0, m1, times[150] - 1, times[150] - 1 + 6 * 86400)
    found = [replicate(g, rng, [8.0], True)[0] for _ in range(50)]
    lagd = [(a - times[150]) / 86400 for a in found if math.isfinite(a)]
    good &= check('gradual drift found on its ramp', len(lagd) == 50 and np.median(lagd) <= 6,
                  f'{len(lagd)}/50 found, median {np.median(lagd) if lagd else math.inf:.0f} days after the ramp starts (6-day ramp)')
    # 3b. The target-unknown mixture holds the true alternative at its prior weight:
    #     statistic >= known-target statistic + log prior (a Bayes mixture's basic inequality).
    catdep = np.repeat(np.arange(8), 6)
    worst = math.inf
    for kind in ('abrupt', 'gradual'):
        u = dict(synthetic_user(kind, times[:120], m0, m1, times[60] - 1, times[60] - 1 + (6 * 86400 if kind == 'gradual' else 0)),
                 amount=0.9, weights=[0.75, 0.25], to=[30, 31])
        fam = family(u, catdep)
        prog = ramp(kind, u['start'], u['end'], u['times'])
        x = draw_focus(rng, m0[None, :] + prog[:, None] * (m1 - m0)[None, :])
        nu = onsets(u)
        gap = evidence_family(u, x, nu, fam) - evidence(u, x, nu) - math.log(fam['pair_share'] / fam['n_dept'] / 30)
        worst = min(worst, float(gap.min()))
    good &= check('target-unknown mixture >= known + log prior', worst >= -1e-9, f'smallest margin {worst:.2e} nats')
    # 4. The exact likelihood of a session's views (events oracle) is a distribution: over every
    #    sequence of 4 views on 5 categories it sums to 1 (sequences with 4 categories: 0).
    import itertools
    m = np.array([0.4, 0.3, 0.15, 0.1, 0.05])
    total = 0.0
    for seq in itertools.product(range(5), repeat=4):
        counts = {c: seq.count(c) for c in set(seq)}
        if len(counts) > 3:
            continue
        seen, assign, weight = session_terms(counts)
        w = np.zeros(4)
        w[:len(seen)] = m[seen]
        w[3] = 1 - m[seen].sum()
        total += (weight * w[assign].prod(axis=1)).sum()
    good &= check('views likelihood sums to 1', abs(total - 1) < 1e-9, f'{total:.12f} over 5^4 sequences of 4 views')
    # 5. The reconstruction of each drifting user's mixture matches the simulator's checkpoints.
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
        # 6. The lag definition: the first-event bound equals `eval --scenario`'s.
        expected = dict(default=(300, 20.6, 82.5), seasonal=(134, 20.5, None), small=(65, 12.4, 41.5))[name]
        fb = first_event_bound(data)
        same = fb[0] == expected[0] and round(fb[1], 1) == expected[1] and \
            (fb[2] is None if expected[2] is None else round(fb[2], 1) == expected[2])
        good &= check(f'{name}: first-event bound as eval', same,
                      f'{fb[0]}/{len(data["users"])}, {fmt(fb[1])}, {fmt(fb[2])} (eval: {expected})')
        # 7. The focus model against the events: share of post-change sessions of abrupt drifters
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
        # 8. The views oracle against the real events: the known-target test at 5 nats on the
        #    abrupt drifters' own views (real sessions) and on simulated views at the same times.
        ev = load_events(name, base)
        real, synth = [], []
        for user in data['users']:
            if user['kind'] != 'abrupt':
                continue
            sess = [x for x in ev['sessions'].get(user['uid'], []) if x[2]]
            if not sess:
                real.append(math.inf)
                continue
            times, nu = np.array([x[1] for x in sess]), np.array([x[0] for x in sess]) - 0.5
            u = dict(user, times=times)
            a = [x for x in alarm_times(u, evidence_views(u, [x[2] for x in sess], nu), nu, 5.0) if x >= user['start']]
            real.append(lag_hours(user, a[0] if a else math.inf))
            for _ in range(3):
                synth.append(lag_hours(user, replicate(user, rng, [5.0], True, views=True)[0]))
        if real:
            r, m = summary(real, len(real)), summary(synth, len(synth))
            good &= check(f'{name}: views oracle on real vs simulated views', abs(r[0] / len(real) - m[0] / len(synth)) <= 0.03
                          and abs(r[1] - m[1]) <= 0.15 * m[1] + 2,
                          f'abrupt, known target, 5 nats: real {r[0]}/{len(real)}, median {fmt(r[1])}, p90 {fmt(r[2])}; '
                          f'simulated {m[0] / 3:.1f}/{len(real)}, median {fmt(m[1])}, p90 {fmt(m[2])}')
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
    ap.add_argument('--drift-reps', type=int, default=10)
    ap.add_argument('--null-reps', type=int, default=20)
    ap.add_argument('--seed', type=int, default=12)
    ap.add_argument('--sweep', default='default', help='scenario for the delay-versus-false-alarm table ("" for none)')
    ap.add_argument('--self-check', action='store_true')
    a = ap.parse_args()
    if a.self_check:
        sys.exit(0 if self_check(a.dir) else 1)
    report(a.names, a.dir, a.drift_reps, a.null_reps, a.seed, a.sweep)


if __name__ == '__main__':
    main()
