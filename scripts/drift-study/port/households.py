# Synthetic households with six equal interests in six departments and 10% exploration: false alarms by user age and target, per variant.
import random, rep, cusum, sys
from collections import Counter
catdep = [c // 4 for c in range(48)]
for name, cls, kw in [('old', cusum.Cusum, {}), ('new', rep.Rep, {'r': .9, 'F': 1, 'wrep': .2}), ('m15', rep.Rep, {'r': .9, 'F': 1, 'wrep': .2, 'minrep': 15}), ('m15n', rep.Rep, {'r': .9, 'F': 1, 'wrep': .2, 'minrep': 15, 'newonly': True})]:
    random.seed(5)
    det = cls(catdep, 12, h=6, **kw); alarms = Counter()
    for u in range(200):
        ints = [(u + 8 * k) % 48 for k in range(6)]; t = 0
        for i in range(150):
            t += 12 * 3600
            c = random.randrange(48) if random.random() < .1 else random.choice(ints)
            st = det.U.get(u); young = (st.ndraws if st else 0) < 40
            r = det.draw(u, c, t)
            if r:
                fam = r[0] in ints
                alarms[('young' if young else 'mature', 'to familiar' if fam else 'to new')] += 1
    print(name, sum(alarms.values()), dict(alarms))
