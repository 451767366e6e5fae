"""Tables of README.md from grid_old_avx512_avx2.txt: python3 table.py grid_old_avx512_avx2.txt"""
import collections
import math
import sys

runs = collections.OrderedDict()
current = None
for line in open(sys.argv[1]):
    if line.startswith("== "):
        current = line[3:].strip()
        runs[current] = []
    elif line.startswith("| cpu |"):
        fields = [c.strip() for c in line.strip().strip("|").split("|")]
        runs[current].append((fields[1], float(fields[6]), fields[8]))


def kind(run):
    return "old" if run.startswith("old") else ("avx2" if "avx2" in run else "new")


def span(values):
    return f"{min(values):.3g}–{max(values):.3g}".replace("e+0", "e")


print("| row | old, chain-steps/s | new (AVX-512 copy) | new / old | new, of the AVX-512 ceiling "
      "| new capped to AVX2 | AVX2 / AVX-512 | AVX2, of the AVX2 ceiling |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
new_old, avx2_new = [], []
for i, (name, _, _) in enumerate(next(iter(runs.values()))):
    rate, share = collections.defaultdict(list), collections.defaultdict(list)
    for run, rows in runs.items():
        rate[kind(run)].append(rows[i][1])
        share[kind(run)].append(rows[i][2])
    ratios = [b / a for a in rate["old"] for b in rate["new"]]
    new_old.append(math.log(sum(rate["new"]) / sum(rate["old"])))
    avx2_new.append(math.log(sum(rate["avx2"]) / sum(rate["new"])))
    label = name + (" (the seed model)" if i == 0 else "")
    print(f"| {label} | {span(rate['old'])} | {span(rate['new'])} | "
          f"{min(ratios):.2f}–{max(ratios):.2f}× | {', '.join(share['new'])} | "
          f"{span(rate['avx2'])} | {math.exp(avx2_new[-1]):.2f}× | {', '.join(share['avx2'])} |")
print(f"\nGeometric means over the {len(new_old)} rows (each row's mean of its runs): new / old "
      f"{math.exp(sum(new_old) / len(new_old)):.3f}, AVX2 / AVX-512 "
      f"{math.exp(sum(avx2_new) / len(avx2_new)):.3f}.")
