import math
from collections import defaultdict
class Det:
    """Session-level mixture likelihood-ratio CUSUM with hierarchical (department, leaf) reference."""
    def __init__(self, d, h, alpha=1.0, s=0.4, a=4.0, b=2.0, half=28*86400, lag=8, minref=5, shorthalf=4, popw=True, novel=True, leafq=1.0, esta=False):
        self.esta = esta; self.Y = 2.0; self.Z = 1.0
        self.h=h; self.alpha=alpha; self.s=s; self.a=a; self.b=b; self.half=half; self.lag=lag; self.minref=minref
        self.dep = d['catdep']; self.ncat = len(self.dep); self.ndep = d['ndep']
        self.dsize = defaultdict(int)
        for c in range(self.ncat): self.dsize[int(self.dep[c])] += 1
        self.popw = popw; self.novel = novel; self.leafq = leafq
        self.sdecay = 2**(-1/shorthalf)
        self.u = {}
        self.pop = defaultdict(float); self.poptot = 0.0; self.popc = defaultdict(float)
    def st(self, u):
        s = self.u.get(u)
        if s is None:
            s = dict(rc=defaultdict(float), rd=defaultdict(float), M=0.0, rt=-1, nov=0.0, warm=False, q=[],
                     last=-1e18, sd=defaultdict(int), sc=set(), base=0.0, L=defaultdict(float), qd=defaultdict(float), qc=defaultdict(float),
                     short=defaultdict(float), stot=0.0, g=0.0)
            self.u[u] = s
        return s
    def p_dep(self, s, d):
        # population department share (smoothed)
        if self.popw and self.poptot > 50: pi = (self.pop[d] + 1) / (self.poptot + self.ndep)
        else: pi = 1/self.ndep
        a = (self.Y/self.Z) if self.esta else (max(self.a, s['nov']) if self.novel else self.a)
        return (s['rd'][d] + a*pi) / (s['M'] + a)
    def p_leaf(self, s, c, d):
        size = self.dsize[d]
        return (s['rc'][c] + self.b/size) / (s['rd'][d] + self.b)
    def learn(self, s, c):
        d = int(self.dep[c])
        if s['rc'][c] == 0 and s['rd'][d] == 0: s['nov'] += 1
        s['rc'][c] += 1; s['rd'][d] += 1; s['M'] += 1
    def restart(self, s):
        s['base'] = 0.0; s['L'] = defaultdict(float); s['qd'] = defaultdict(float); s['qc'] = defaultdict(float); s['g'] = 0.0
    def event(self, u, t, c, act):
        s = self.st(u); d = int(self.dep[c])
        # decay
        if s['rt'] >= 0 and t > s['rt']:
            f = 2**(-(t - s['rt'])/self.half)
            for k in s['rc']: s['rc'][k] *= f
            for k in s['rd']: s['rd'][k] *= f
            s['M'] *= f; s['nov'] *= f
        s['rt'] = t
        newsess = t - s['last'] > 1800
        s['last'] = t
        if newsess: s['sd'] = defaultdict(int); s['sc'] = set()
        firstcat = c not in s['sc']
        if firstcat:
            self.pop[d] += 1; self.poptot += 1
            if self.esta and c not in s['sc'] and s['sd'][d] == 0:
                a = self.Y/self.Z
                self.Y += 1 if s['rd'][d] <= 0.01 else 0
                self.Z += 1/(s['M'] + a)
        if not s['warm'] and s['M'] >= self.minref: s['warm'] = True
        alarm = None
        if s['warm']:
            n = s['sd'][d]; k = sum(s['sd'].values())
            P0 = self.p_dep(s, d)
            al = self.alpha; sh = self.s
            fout = math.log((al*(1-sh)*P0 + n)/(al*P0 + n))
            # leaf
            if firstcat:
                l0 = self.p_leaf(s, c, d)
                seen = s['qc'][c]
                q = (seen + self.leafq/self.dsize[d]) / (s['qd'][d] + self.leafq)
                # under H1(d): P1(d) = (1-s)P0 + s; leaf = mix
                P1 = (1-sh)*P0 + sh
                l1 = ((1-sh)*P0*l0 + sh*q) / P1
                fin = math.log((al*P1 + n)/(al*P0 + n)) + math.log(l1/l0)
                s['qd'][d] += 1; s['qc'][c] += 1
            else:
                P1 = (1-sh)*P0 + sh
                fin = math.log((al*P1 + n)/(al*P0 + n))
            s['base'] += fout
            s['L'][d] += fin - fout
            prior = 1/self.ndep
            top = max(s['L'].values())
            tot = sum(prior*math.exp(v - top) for v in s['L'].values()) + max(0, 1 - prior*len(s['L']))*math.exp(-top)
            g = s['base'] + top + math.log(tot)
            if g <= 0: self.restart(s); g = 0
            s['g'] = g
            if g >= self.h:
                best = max(s['L'], key=lambda x: s['L'][x])
                cands = [x for x in s['qc'] if int(self.dep[x]) == best]
                alarm = max(cands, key=lambda x: (s['qc'][x], -x)) if cands else c
        s['sd'][d] += 1; s['sc'].add(c)
        if firstcat:
            for k in list(s['short']): s['short'][k] *= self.sdecay
            s['stot'] = s['stot']*self.sdecay + 1; s['short'][c] += 1
            if not s['warm']:
                self.learn(s, c)
            else:
                s['q'].append(c)
                lag = min(self.lag, int(s['M']/2))
                while len(s['q']) > lag: self.learn(s, s['q'].pop(0))
        if alarm is not None:
            w = 1/max(s['stot'], 1)
            s['rc'] = defaultdict(float); s['rd'] = defaultdict(float)
            for k, v in s['short'].items():
                s['rc'][k] += v*w; s['rd'][int(self.dep[k])] += v*w
            s['M'] = min(s['stot'], 1); s['nov'] = 0; s['warm'] = False; s['q'] = []
            self.restart(s)
        return alarm
