# Mixture over the new-interest share s (composite alternative), same reference as cusum.py
import math, cusum
from cusum import add, TC
class Mix(cusum.Cusum):
    def __init__(self, catdep, ndep, shares=(0.4,), weights=None, **kw):
        super().__init__(catdep, ndep, **kw)
        self.shares = shares; self.w = weights or [1 / len(shares)] * len(shares)
    def restart(self, st):
        st.base = [0.0] * len(self.shares); st.tdept = {}; st.tcat = {}; st.g = 0.0
    def weakest(self, st):
        S = len(self.shares)
        return min(st.tdept, key=lambda x: max(st.tdept[x][:S]))
    def test(self, st, c):
        if not isinstance(st.base, list): st.base = [0.0] * len(self.shares)
        d = self.catdep[c]; size = self.dsize[d]
        p0 = self.p0(st, c)
        S = len(self.shares)
        L = self.department(st, d, lambda: [0.0] * S + [0.0])
        q = (st.tcat.get(c, 0.0) + self.iprior / size) / (L[S] + self.iprior)
        for i, sh in enumerate(self.shares):
            keep = math.log(1 - sh)
            L[i] += math.log((1 - sh) + sh * q / p0) - keep
            st.base[i] += keep
        L[S] += 1
        add(st.tcat, c, 1.0, TC)
        prior = 1 / self.ndep
        terms = []
        for i in range(S):
            for v in st.tdept.values(): terms.append(math.log(self.w[i] * prior) + st.base[i] + v[i])
            terms.append(math.log(self.w[i] * max(0, 1 - prior * len(st.tdept)) + 1e-300) + st.base[i])
        top = max(terms)
        g = top + math.log(sum(math.exp(x - top) for x in terms))
        if g <= 0: self.restart(st); return 0.0
        return g
    def new_interest(self, st):
        if not st.tdept: return None
        S = len(self.shares)
        best = max(st.tdept, key=lambda x: max(st.tdept[x][:S]))
        cands = [k for k in st.tcat if self.catdep[k] == best]
        return max(cands, key=lambda k: (st.tcat[k], -k)) if cands else None
