# CUSUM whose alternative mixes "a new interest took a share s of everything" (cusum.py) with
# "a new interest replaced one of the user's main departments": mass r of department f moved to d.
import math, cusum
from cusum import add, TC
class Rep(cusum.Cusum):
    def __init__(self, catdep, ndep, r=0.75, F=2, wrep=0.5, newonly=False, scale=False, minrep=0, **kw):
        super().__init__(catdep, ndep, **kw)
        self.r = r; self.F = F; self.wrep = wrep; self.newonly = newonly; self.scale = scale; self.minrep = minrep
    def dshare(self, st, f):
        m = sum(v for k, v in st.ref.items() if self.catdep[k] == f)
        return m / st.rtot if st.rtot > 0 else 0
    def restart(self, st):
        st.base = 0.0; st.tdept = {}; st.tcat = {}; st.g = 0.0
        st.frm = None
    def start(self, st):
        # the user's main departments now, and their shares
        ds = {}
        for k, v in st.ref.items(): ds[self.catdep[k]] = ds.get(self.catdep[k], 0) + v
        top = sorted(ds, key=lambda x: -ds[x])[:self.F]
        st.frm = {f: [ds[f] / st.rtot, 0.0] for f in top} if st.rtot >= self.minrep else {}
    def test(self, st, c):
        if getattr(st, 'frm', None) is None: self.start(st)
        d = self.catdep[c]; size = self.dsize[d]; sh = self.s
        p0 = self.p0(st, c)
        L = self.department(st, d, lambda: [0.0, 0.0, {f: 0.0 for f in st.frm}, any(self.catdep[k] == d for k in st.ref)])
        q = (st.tcat.get(c, 0.0) + self.iprior / size) / (L[1] + self.iprior)
        keep = math.log(1 - sh)
        L[0] += math.log((1 - sh) + sh * q / p0) - keep
        for f, (P, A) in st.frm.items():
            if f == d: st.frm[f][1] += math.log(1 - self.r)
            else: L[2][f] += math.log(1 + self.r * P * q / p0)
        L[1] += 1
        add(st.tcat, c, 1.0, TC)
        st.base += keep
        prior = 1 / self.ndep
        terms = []
        wr = self.wrep * (list(st.frm.values())[0][0] if (self.scale and st.frm) else 1)
        wr = max(wr, 1e-12) if st.frm else 0.0
        wp = math.log(1 - wr)
        for v in st.tdept.values(): terms.append(wp + math.log(prior) + st.base + v[0])
        rest = max(0, 1 - prior * len(st.tdept))
        if rest > 0: terms.append(wp + math.log(rest) + st.base)
        if self.wrep > 0 and st.frm:
            wf = math.log(wr / len(st.frm))
            for f, (P, A) in st.frm.items():
                for e, v in st.tdept.items():
                    if e != f and not (self.newonly and v[3]): terms.append(wf + math.log(prior) + A + v[2][f])
                n_in = sum(1 for e in st.tdept if e != f)
                rest = max(0, 1 - prior * (n_in + 1))
                if rest > 0: terms.append(wf + math.log(rest) + A)
        top = max(terms)
        g = top + math.log(sum(math.exp(x - top) for x in terms))
        if g <= 0: self.restart(st); return 0.0
        return g
