#!/usr/bin/env python3
"""Onsets in a recording (float32 mono, 48 kHz, from parec): where the sound first rises
above -40 dBFS after at least 0.5 s of quiet. Compares them with the planned offsets (one
per line, in seconds, on stdin) and prints the error of each onset relative to the plan, after
removing the one constant offset that best fits (the recording's start and the output's fixed
delay are not known to the sample).

Usage: scripts/onsets.py CAPTURE.raw < planned.txt
"""
import statistics
import struct
import sys

RATE = 48000


def onsets(path, level=0.01, quiet=RATE // 2):
    data = open(path, "rb").read()
    n = len(data) // 4
    samples = struct.unpack(f"<{n}f", data[: n * 4])
    out, silent = [], quiet
    for i, s in enumerate(samples):
        if s > level or s < -level:
            if silent >= quiet:
                out.append(i / RATE)
            silent = 0
        else:
            silent += 1
    return out, n / RATE


def main():
    found, length = onsets(sys.argv[1])
    planned = [float(x) for x in sys.stdin.read().split()]
    print(f"recording {length:.1f} s, {len(found)} onsets found, {len(planned)} planned")
    if len(found) != len(planned):
        print("onsets:", " ".join(f"{f:.3f}" for f in found))
        sys.exit(1)
    diffs = [f - p for f, p in zip(found, planned)]
    offset = statistics.median(diffs)
    errors = [1000 * (d - offset) for d in diffs]
    print(
        "onset error vs plan (ms): mean %+.2f, worst %+.2f, stdev %.2f, all within +-%.2f"
        % (
            statistics.mean(errors),
            max(errors, key=abs),
            statistics.pstdev(errors),
            max(abs(e) for e in errors),
        )
    )
    # The sink's sample clock and the system clock the plan is on differ by some parts per
    # million; with that drift removed too, what is left is hara's own placement.
    mp, md = statistics.mean(planned), statistics.mean(diffs)
    slope = sum((p - mp) * (d - md) for p, d in zip(planned, diffs)) / sum(
        (p - mp) ** 2 for p in planned
    )
    rest = [1000 * (d - md - slope * (p - mp)) for p, d in zip(planned, diffs)]
    print(
        "with the clocks' drift (%.1f ppm) removed too: all within +-%.2f ms, stdev %.2f"
        % (slope * 1e6, max(map(abs, rest)), statistics.pstdev(rest))
    )
    worst = max(range(len(errors)), key=lambda i: abs(errors[i]))
    print("worst: onset %d of %d, planned at %.3f s" % (worst + 1, len(errors), planned[worst]))
    # Gaps between planned onsets are exact; a dropout shows as a step in the errors.
    steps = [b - a for a, b in zip(errors, errors[1:])]
    print("largest step between neighbouring onsets: %.2f ms" % max(map(abs, steps)))


main()
