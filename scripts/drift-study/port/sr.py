# Shiryaev-Roberts mixture over departments, same reference as cusum.py
import math, cusum
from cusum import add, TC
def lae(a, b):
    m = max(a, b); return m + math.log(math.exp(a - m) + math.exp(b - m))
class SR(cusum.Cusum):
    def __init__(self, catdep, ndep, **kw):
        super().__init__(catdep, ndep, **kw)
    def restart(self, st):
        st.base = -1e9  # log R of an untracked department
        st.tdept = {}; st.tcat = {}; st.g = 0.0
    def test(self, st, c):
        if st.base == 0.0 and not st.tdept: st.base = -1e9
        d = self.catdep[c]; size = self.dsize[d]; sh = self.s
        p0 = self.p0(st, c)
        keep = math.log(1 - sh)
        self.department(st, d, lambda: [st.base, 0.0])
        # all departments: R <- (1 + R) * Lambda
        for e, L in st.tdept.items():
            if e == d:
                q = (st.tcat.get(c, 0.0) + self.iprior / size) / (L[1] + self.iprior)
                L[0] = lae(0.0, L[0]) + math.log((1 - sh) + sh * q / p0)
                L[1] += 1
            else:
                L[0] = lae(0.0, L[0]) + keep
        st.base = lae(0.0, st.base) + keep
        add(st.tcat, c, 1.0, TC)
        # drop departments whose R fell to the untracked level (their q evidence is gone)
        for e in [e for e, L in st.tdept.items() if L[0] <= st.base + 1e-9 and e != d]:
            del st.tdept[e]
            for k in [k for k in st.tcat if self.catdep[k] == e]: del st.tcat[k]
        prior = 1 / self.ndep
        terms = [math.log(prior) + L[0] for L in st.tdept.values()]
        rest = 1 - prior * len(st.tdept)
        if rest > 1e-12: terms.append(math.log(rest) + st.base)
        top = max(terms)
        g = top + math.log(sum(math.exp(x - top) for x in terms))
        return max(g, 0.0)
