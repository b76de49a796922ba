import sys, json, score, importlib
from multiprocessing import Pool
def one(args):
    name, hs, kw = args
    kw = dict(kw); mod = importlib.import_module(kw.pop('mod', 'cusum')); cls = getattr(mod, kw.pop('cls', 'Cusum'))
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        out = score.run(name, lambda dd, h: cls(dd['catdep'], dd['ndep'], h=h, **kw), hs)
    extra = ''
    return f'{json.dumps(args[2])}\n' + buf.getvalue()
if __name__ == '__main__':
    names = sys.argv[1].split(','); hs = json.loads(sys.argv[2]); kws = [json.loads(x) for x in sys.argv[3:]]
    jobs = [(n, hs, k) for k in kws for n in names]
    with Pool(2) as p:
        for r in p.imap(one, jobs): print(r, end='', flush=True)
