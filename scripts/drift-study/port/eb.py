import cusum
class EB(cusum.Cusum):
    """Prior strength a by empirical Bayes over the population: novel draws / sum 1/(M+a)."""
    def __init__(self, catdep, ndep, usenov=True, fixed=None, a0=4.0, k0=10.0, **kw):
        super().__init__(catdep, ndep, **kw)
        self.usenov = usenov; self.fixed = fixed
        self.Y = a0 * k0 / (k0 + a0); self.Z = k0 / (k0 + a0) * 1.0  # prior: a0 with weight
        self.Y = a0; self.Z = 1.0
    def a(self):
        return self.fixed if self.fixed is not None else self.Y / self.Z
    def prior_strength(self, st):
        return max(self.a(), st.nov) if self.usenov else self.a()
    def learn(self, st, c):
        a = self.a()
        if c not in st.ref: self.Y += 1
        self.Z += a / (st.rtot + a) / a if False else 1 / (st.rtot + a)
        super().learn(st, c)
