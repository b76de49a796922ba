import sys, numpy as np, cusum, draws as DR
name, who = sys.argv[1], sys.argv[2:]
d = DR.load(name); ids = [d['users'][w] for w in who]
import json; det = cusum.Cusum(d["catdep"], d["ndep"], **json.loads(__import__("os").environ.get("KW","{}")))
for (t, u, c, new) in d['draws']:
    if u in ids:
        st = det.U.get(u)
        p0 = det.p0(st, c) if st else None
        r = det.draw(u, c, t); st = det.U[u]
        rel = (t - d['cross'][u]) / 3600
        if rel > -100 and rel < 200:
            print(d['uid'][u], f'{rel:7.1f}h', 'S' if new else ' ', d['order'][c].ljust(24), 'T' if c in d['targets'][u] else ' ', f'p0 {p0:.4f}' if p0 else '', f'g {st.g:.2f} warm {st.warm} rtot {st.rtot:.1f} nov {st.nov:.1f}', 'ALARM' if r else '')
