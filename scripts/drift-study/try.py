import sys, harness, det, json
args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
hs = json.loads(sys.argv[3]) if len(sys.argv) > 3 else [4,6,8,10]
for name in sys.argv[1].split(','):
    harness.run(name, lambda d, h: det.Det(d, h, **args), hs)
