#!/usr/bin/env python3
"""Prints the policy benchmark medians from criterion's estimates, each as a ratio to the
str::to_lowercase baseline measured on the same input in the same run, and to the policy with the
inappropriate-name rule off (USERNAMES_PROFANITY=off), when that was measured."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
TARGETS_US = {"typical": 5.0, "international": 5.0, "adversarial": 50.0, "adversarial_max64": 50.0}


def median_ns(path):
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


worst_ratio = 0.0
over = []
for group in ["typical", "international", "adversarial", "adversarial_max64"]:
    evaluate_dir = root / group / "evaluate"
    if not evaluate_dir.is_dir():
        print(f"no results for {group} under {root}", file=sys.stderr)
        continue
    target = TARGETS_US[group]
    print(f"\n{group} (target: median ≤ {target:g} µs)")
    print(f"  {'input':<20} {'evaluate':>12} {'to_lowercase':>14} {'ratio':>8} {'rule off':>12} {'on/off':>7}")
    for case in sorted(p.name for p in evaluate_dir.iterdir() if (p / "new").is_dir()):
        ev = median_ns(evaluate_dir / case / "new" / "estimates.json")
        base = median_ns(root / group / "to_lowercase" / case / "new" / "estimates.json")
        ratio = ev / base
        worst_ratio = max(worst_ratio, ratio)
        flag = "" if ev / 1000 <= target else "  over target"
        if flag:
            over.append(f"{group}/{case}")
        off_path = root / group / "profanity_off" / case / "new" / "estimates.json"
        off = median_ns(off_path) if off_path.is_file() else None
        off_cols = f" {fmt(off):>12} {ev / off:>6.2f}x" if off else ""
        print(f"  {case:<20} {fmt(ev):>12} {fmt(base):>14} {ratio:>7.0f}x{off_cols}{flag}")
print()
print("over target: " + (", ".join(over) if over else "none"))
