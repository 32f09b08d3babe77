#!/usr/bin/env python3
"""Writes the parameter trajectories of PyTorch's optimizers on a fixed problem to
tests/data/golden/optim.json; tests/optim/test_optimizers.cpp runs accel's optimizers on the same
problem and compares every step.

    tools/setup-reference-torch.sh                      # once: creates .venv-torch
    .venv-torch/bin/python tools/gen_optim_golden.py

The problem (float64, fixed values from a seeded generator, stored in the file):
  parameters W[3,4] and b[3] (two tensors of different rank), data x[6,4] and y[6,3],
  loss = mean((x @ W.T + b - y) ** 2), recomputed from the current parameters before each step.
Each case runs STEPS steps of one optimizer with one option set and records W and b after each.
Options use accel's names (Adam's betas are beta1/beta2); a case with "groups" puts W and b in
separate parameter groups, the second with its own lr and options.

File format (compact JSON, one case per line, tensors encoded as in tools/gen_golden.py):
  {"generator": ..., "torch": "<version>", "steps": 10,
   "problem": {"W": tensor, "b": tensor, "x": tensor, "y": tensor},
   "cases": [{"name": ..., "optimizer": "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad",
              "lr": number, "options": {name: number},           (booleans as 0/1)
              "groups": [{"params": [0], "lr"?: number, "options": {...}}, ...]   (optional)
              "trajectory": [[W values, b values], ...]}]}        (one entry per step)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_golden import tensor_json  # noqa: E402  (the same encoding)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "data", "golden", "optim.json")
SEED = 20240801
STEPS = 10
f64 = torch.float64

OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW,
              "RMSprop": torch.optim.RMSprop, "Adagrad": torch.optim.Adagrad}

# (name, optimizer, lr, options, groups)
CASES = [
    ("sgd", "SGD", 0.1, {}, None),
    ("sgd_default_lr", "SGD", None, {}, None),
    ("sgd_momentum", "SGD", 0.1, {"momentum": 0.9}, None),
    ("sgd_dampening", "SGD", 0.1, {"momentum": 0.9, "dampening": 0.5}, None),
    ("sgd_nesterov", "SGD", 0.1, {"momentum": 0.9, "nesterov": 1}, None),
    ("sgd_weight_decay", "SGD", 0.1, {"momentum": 0.9, "weight_decay": 0.1}, None),
    ("sgd_maximize", "SGD", 0.05, {"momentum": 0.5, "weight_decay": 0.1, "maximize": 1}, None),
    ("sgd_groups", "SGD", 0.1, {"momentum": 0.9},
     [{"params": [0]}, {"params": [1], "lr": 0.01, "options": {"momentum": 0.5, "nesterov": 1}}]),
    ("adam", "Adam", 0.05, {}, None),
    ("adam_default_lr", "Adam", None, {}, None),
    ("adam_betas_eps", "Adam", 0.05, {"beta1": 0.8, "beta2": 0.9, "eps": 1e-3}, None),
    ("adam_amsgrad", "Adam", 0.2, {"amsgrad": 1, "beta2": 0.9}, None),
    ("adam_weight_decay", "Adam", 0.05, {"weight_decay": 0.1}, None),
    ("adam_maximize", "Adam", 0.05, {"maximize": 1, "amsgrad": 1}, None),
    ("adam_groups", "Adam", 0.05, {},
     [{"params": [0]}, {"params": [1], "lr": 0.2, "options": {"beta1": 0.5, "amsgrad": 1}}]),
    ("adamw", "AdamW", 0.05, {}, None),
    ("adamw_amsgrad", "AdamW", 0.2, {"amsgrad": 1, "beta2": 0.9}, None),
    ("adamw_weight_decay", "AdamW", 0.05, {"weight_decay": 0.5}, None),
    ("adamw_maximize", "AdamW", 0.05, {"maximize": 1}, None),
    ("adamw_groups", "AdamW", 0.05, {},
     [{"params": [0]}, {"params": [1], "lr": 0.1, "options": {"weight_decay": 0.0}}]),
    ("rmsprop", "RMSprop", 0.01, {}, None),
    ("rmsprop_alpha", "RMSprop", 0.01, {"alpha": 0.9, "eps": 1e-4}, None),
    ("rmsprop_centered", "RMSprop", 0.01, {"centered": 1}, None),
    ("rmsprop_momentum", "RMSprop", 0.01, {"momentum": 0.9}, None),
    ("rmsprop_centered_momentum", "RMSprop", 0.01, {"centered": 1, "momentum": 0.5}, None),
    ("rmsprop_weight_decay", "RMSprop", 0.01, {"weight_decay": 0.1}, None),
    ("rmsprop_maximize", "RMSprop", 0.01, {"maximize": 1, "momentum": 0.5}, None),
    ("rmsprop_groups", "RMSprop", 0.01, {},
     [{"params": [0]}, {"params": [1], "lr": 0.05, "options": {"centered": 1}}]),
    ("adagrad", "Adagrad", 0.1, {}, None),
    ("adagrad_lr_decay", "Adagrad", 0.1, {"lr_decay": 0.1}, None),
    ("adagrad_initial_accumulator", "Adagrad", 0.1, {"initial_accumulator_value": 0.5}, None),
    ("adagrad_weight_decay", "Adagrad", 0.1, {"weight_decay": 0.1, "eps": 1e-6}, None),
    ("adagrad_maximize", "Adagrad", 0.1, {"maximize": 1}, None),
    ("adagrad_groups", "Adagrad", 0.1, {},
     [{"params": [0]}, {"params": [1], "lr": 0.5, "options": {"lr_decay": 0.5}}]),
]

BOOL_OPTIONS = {"nesterov", "maximize", "amsgrad", "centered"}


def torch_kwargs(options):
    """accel's option names and 0/1 booleans -> PyTorch's keyword arguments."""
    kwargs = {k: (bool(v) if k in BOOL_OPTIONS else v) for k, v in options.items() if not k.startswith("beta")}
    if "beta1" in options or "beta2" in options:
        kwargs["betas"] = (options.get("beta1", 0.9), options.get("beta2", 0.999))
    return kwargs


def loss_fn(W, b, x, y):
    return ((x @ W.T + b - y) ** 2).mean()


def run_case(problem, name, optimizer, lr, options, groups):
    W = problem["W"].clone().requires_grad_()
    b = problem["b"].clone().requires_grad_()
    params = [W, b]
    defaults = torch_kwargs(options)
    if lr is not None:
        defaults["lr"] = lr
    defaults["foreach"] = False  # the per-tensor reference loop
    if groups is None:
        opt = OPTIMIZERS[optimizer](params, **defaults)
    else:
        torch_groups = []
        for g in groups:
            tg = {"params": [params[i] for i in g["params"]], **torch_kwargs(g.get("options", {}))}
            if "lr" in g:
                tg["lr"] = g["lr"]
            torch_groups.append(tg)
        opt = OPTIMIZERS[optimizer](torch_groups, **defaults)
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(W, b, problem["x"], problem["y"]).backward()
        opt.step()
        trajectory.append([W.detach().reshape(-1).tolist(), b.detach().tolist()])
    case = {"name": name, "optimizer": optimizer}
    if lr is not None:
        case["lr"] = lr
    case["options"] = options
    if groups is not None:
        case["groups"] = groups
    case["trajectory"] = trajectory
    return case


def main():
    gen = torch.Generator().manual_seed(SEED)
    problem = {"W": torch.randn((3, 4), generator=gen, dtype=f64) * 0.5,
               "b": torch.randn((3,), generator=gen, dtype=f64) * 0.5,
               "x": torch.randn((6, 4), generator=gen, dtype=f64),
               "y": torch.randn((6, 3), generator=gen, dtype=f64)}
    cases = [run_case(problem, *c) for c in CASES]
    lines = ['{"generator": "tools/gen_optim_golden.py", "torch": ' + json.dumps(torch.__version__) +
             ', "steps": ' + str(STEPS) + ',',
             ' "problem": ' + json.dumps({k: tensor_json(v) for k, v in problem.items()}) + ',',
             ' "cases": [']
    lines += [json.dumps(c) + ("," if i + 1 < len(cases) else "") for i, c in enumerate(cases)]
    lines.append("]}")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
