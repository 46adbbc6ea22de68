"""'rps | p50 | p99 | non-2xx' from wrk's --latency output (benches/*.sh).
With --raw: 'rps p99_ms non2xx', space-separated, for scripts that aggregate."""
import re
import sys


def ms(v):
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


text = open(sys.argv[-1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
non2xx = errors.group(1) if errors else 0
if "--raw" in sys.argv:
    print(f"{rps:.0f} {p99:.2f} {non2xx}")
else:
    print(f"{rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {non2xx}")
