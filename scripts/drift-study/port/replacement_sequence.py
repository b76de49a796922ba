# The draws-to-alarm of a fixed A/B user who moves from A to C: proportional test (cusum.py) against the replacement alternative (rep.py).
import rep, cusum
# departments: 0 = A (cats 0,1,2), 1 = B (3,4,5), 2 = C (6,7,8), 3..7 filler (9..23)
catdep = [c // 3 for c in range(24)]
stable = [0, 1, 0, 3, 0, 1, 3, 0, 1, 3]   # A 70%, B 30%
moved = [6, 3, 7, 3, 6, 4]                 # C half, B half, no A
for cls, name, kw in [(cusum.Cusum, 'old', {}), (rep.Rep, 'new', {'r': 0.9, 'F': 1, 'wrep': 0.2})]:
    for h in [6, 8]:
        det = cls(catdep, 8, h=h, **kw)
        t = 0; alarms = 0
        for i in range(60):
            t += 10 * 3600
            if det.draw(1, stable[i % len(stable)], t): alarms += 1
        n = 0; r = None
        while r is None and n < 40:
            t += 10 * 3600
            r = det.draw(1, moved[n % len(moved)], t); n += 1
        print(name, 'h', h, 'stable alarms', alarms, 'draws to alarm', n, r)
