# Faithful port of Sources/InterestGraph/Drift/ChangeDetector.swift (main, e8489f0), with hooks.
import math
REF, SHORT, TD, TC, MAXLAG = 16, 6, 4, 6, 16
class User:
    __slots__ = ('frm', 'uid', 'ref', 'rtot', 'rtime', 'nov', 'short', 'stot', 'warm', 'queue', 'base', 'tdept', 'tcat', 'g', 'ndraws')
    def __init__(self):
        self.ref = {}; self.rtot = 0.0; self.rtime = None; self.nov = 0.0
        self.short = {}; self.stot = 0.0; self.warm = False; self.queue = []
        self.frm = None; self.base = 0.0; self.tdept = {}; self.tcat = {}; self.g = 0.0; self.ndraws = 0
def add(prof, c, amt, slots):
    if c in prof: prof[c] += amt; return
    if len(prof) < slots: prof[c] = amt; return
    k = min(prof, key=lambda x: prof[x])
    if prof[k] < amt: del prof[k]; prof[c] = amt
class Cusum:
    def __init__(self, catdep, ndep, h=6.0, s=0.4, half=120*86400, lag=8, minref=5, shorthalf=4, prior=4.0, deptback=0.5, iprior=1.0, lagfrac=0.5):
        self.catdep = catdep; self.ncat = len(catdep); self.ndep = ndep
        self.dsize = [0]*ndep
        for d in catdep: self.dsize[d] += 1
        self.h = h; self.s = s; self.half = half; self.lag = lag; self.minref = minref; self.sdecay = 2**(-1/shorthalf)
        self.lagfrac = lagfrac; self.prior = prior; self.deptback = deptback; self.iprior = iprior
        self.U = {}; self.alarms = 0; self.tested = 0
    def p0(self, st, c):
        d = self.catdep[c]; size = self.dsize[d]
        own = st.ref.get(c, 0.0); ind = sum(m for k, m in st.ref.items() if self.catdep[k] == d)
        lean = self.deptback if size > 1 else 0
        tot = st.rtot
        back = lean * (ind / tot if tot > 0 else 0) / size + (1 - lean) / self.ncat
        a = self.prior_strength(st)
        return (own + a * back) / (tot + a)
    def prior_strength(self, st):
        return max(self.prior, st.nov)
    def weakest(self, st):
        """The tested department to drop for a new one."""
        return min(st.tdept, key=lambda x: st.tdept[x][0])
    def department(self, st, d, fresh):
        """st.tdept[d], opened as fresh() when new (dropping the weakest of TD departments)."""
        if d not in st.tdept:
            if len(st.tdept) >= TD:
                w = self.weakest(st)
                del st.tdept[w]
                for k in [k for k in st.tcat if self.catdep[k] == w]: del st.tcat[k]
            st.tdept[d] = fresh()
        return st.tdept[d]
    def test(self, st, c):
        d = self.catdep[c]; size = self.dsize[d]; sh = self.s
        p0 = self.p0(st, c)
        L = self.department(st, d, lambda: [0.0, 0.0])
        seen = st.tcat.get(c, 0.0)
        q = (seen + self.iprior / size) / (L[1] + self.iprior)
        keep = math.log(1 - sh)
        L[0] += math.log((1 - sh) + sh * q / p0) - keep
        L[1] += 1
        add(st.tcat, c, 1.0, TC)
        st.base += keep
        prior = 1 / self.ndep
        top = max(v[0] for v in st.tdept.values())
        tot = sum(prior * math.exp(v[0] - top) for v in st.tdept.values()) + max(0, 1 - prior * len(st.tdept)) * math.exp(-top)
        g = st.base + top + math.log(tot)
        if g <= 0: self.restart(st); return 0.0
        return g
    def restart(self, st):
        st.base = 0.0; st.tdept = {}; st.tcat = {}; st.g = 0.0
    def learn(self, st, c):
        if c not in st.ref: st.nov += 1
        add(st.ref, c, 1.0, REF); st.rtot += 1
    def draw(self, u, c, t):
        st = self.U.get(u)
        if st is None: st = self.U[u] = User()
        st.ndraws += 1
        if st.rtime is None or t > st.rtime:
            if st.rtime is not None:
                f = 2 ** (-(t - st.rtime) / self.half)
                for k in st.ref: st.ref[k] *= f
                st.rtot *= f; st.nov *= f
            st.rtime = t
        if not st.warm and st.rtot >= self.minref: st.warm = True
        warmed = st.warm; g = 0.0
        if warmed:
            g = self.test(st, c); st.g = g; self.tested += 1
        for k in st.short: st.short[k] *= self.sdecay
        st.stot = st.stot * self.sdecay + 1
        add(st.short, c, 1.0, SHORT)
        if not warmed:
            self.learn(st, c); return None
        lag = min(self.lag, int(st.rtot * self.lagfrac))
        if len(st.queue) >= MAXLAG: self.learn(st, st.queue.pop(0))
        st.queue.append(c)
        while len(st.queue) > lag: self.learn(st, st.queue.pop(0))
        if g < self.h: return None
        to = self.new_interest(st)
        self.alarms += 1
        w = 1 / max(st.stot, 1)
        st.ref = {k: v * w for k, v in st.short.items()}
        st.rtot = min(st.stot, 1); st.nov = 0; st.warm = False; st.queue = []
        self.restart(st)
        return (to, g)
    def new_interest(self, st):
        if not st.tdept: return None
        best = max(st.tdept, key=lambda x: st.tdept[x][0])
        cands = [k for k in st.tcat if self.catdep[k] == best]
        if not cands: return None
        return max(cands, key=lambda k: (st.tcat[k], -k))
