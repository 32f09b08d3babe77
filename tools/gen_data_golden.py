#!/usr/bin/env python3
"""Writes the index structure of PyTorch's samplers and random_split to
tests/data/golden/data_samplers.json; tests/dataset/test_samplers.cpp compares accel's.

    .venv-torch/bin/python tools/gen_data_golden.py

Only structure that does not depend on the random generator is recorded (accel's Philox
generator is not PyTorch's Mersenne Twister, so shuffled orders differ by design):
  distributed: DistributedSampler(shuffle=False) index lists for every rank, with and without
               drop_last, for dataset sizes that divide evenly, need padding, and need more padding
               than the dataset holds.
  batch:       BatchSampler(SequentialSampler(n), batch_size, drop_last) batches.
  split:       the subset lengths random_split derives from fractions.
"""
import json
import os

import torch
from torch.utils.data import BatchSampler, DistributedSampler, SequentialSampler, random_split

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "data", "golden", "data_samplers.json")


def distributed_cases():
    cases = []
    for size, replicas in [(10, 2), (10, 3), (11, 4), (2, 5), (7, 1), (0, 3)]:
        for drop_last in (False, True):
            ranks = [list(DistributedSampler(range(size), num_replicas=replicas, rank=r, shuffle=False,
                                             drop_last=drop_last)) for r in range(replicas)]
            cases.append({"size": size, "num_replicas": replicas, "drop_last": drop_last, "ranks": ranks})
    return cases


def batch_cases():
    return [{"size": n, "batch_size": b, "drop_last": d,
             "batches": list(BatchSampler(SequentialSampler(range(n)), b, d))}
            for n, b in [(10, 3), (9, 3), (2, 5), (0, 2)] for d in (False, True)]


def split_cases():
    cases = []
    for size, fractions in [(10, [0.5, 0.5]), (10, [0.33, 0.33, 0.34]), (7, [0.2, 0.3, 0.5]),
                            (60000, [0.9, 0.1]), (5, [1.0, 0.0]), (3, [0.25, 0.25, 0.25, 0.25])]:
        parts = random_split(range(size), fractions, generator=torch.Generator().manual_seed(0))
        cases.append({"size": size, "fractions": fractions, "lengths": [len(p) for p in parts]})
    return cases


def main():
    golden = {"generator": "tools/gen_data_golden.py", "torch": torch.__version__,
              "distributed": distributed_cases(), "batch": batch_cases(), "split": split_cases()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
