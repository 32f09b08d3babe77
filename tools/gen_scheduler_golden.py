#!/usr/bin/env python3
"""Writes the learning rates (and OneCycleLR's momentum) of PyTorch's schedulers, computed by the
reference PyTorch, to tests/data/golden/schedulers.json. tests/optim/test_schedulers.cpp builds
the same schedulers over an optimizer with the same parameter groups, steps them as often, and
compares every value to 1e-12 relative.

    tools/setup-reference-torch.sh                          # once: creates .venv-torch
    .venv-torch/bin/python tools/gen_scheduler_golden.py

File format (JSON, one case per line):
  {"generator": ..., "torch": "<version>", "cases": [case, ...]}
  case = {"name": "step_lr_gamma_half",
          "optimizer": "sgd" | "adam",       (which momentum OneCycleLR cycles: momentum or beta1)
          "group_lrs": [0.1, 0.01],          (one parameter group each)
          "scheduler": spec,
          "lrs": [[lr of each group], ...],  (after construction, then after each of STEPS steps)
          "momentum": [[...], ...]}          (momentum or beta1 of each group, same indexing)
  spec = {"type": "StepLR", "args": {...}}   (PyTorch's keyword arguments; for SequentialLR
          "args": {"schedulers": [spec, ...], "milestones": [...]}; for LambdaLR "lr_lambda" is a
          name from LAMBDAS or a list of them)
"""
import json
import os
import warnings

import torch
from torch.optim import lr_scheduler

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "data", "golden", "schedulers.json")
STEPS = 30
GROUP_LRS = [0.1, 0.01]

# The C++ test defines the same functions under these names.
LAMBDAS = {
    "pow_0.95": lambda epoch: 0.95 ** epoch,
    "inverse": lambda epoch: 1.0 / (epoch + 1),
}


def spec(type_, **args):
    return {"type": type_, "args": args}


CASES = [
    ("lambda_lr_one_function", "sgd", spec("LambdaLR", lr_lambda="pow_0.95")),
    ("lambda_lr_per_group", "sgd", spec("LambdaLR", lr_lambda=["pow_0.95", "inverse"])),
    ("step_lr_default_gamma", "sgd", spec("StepLR", step_size=7)),
    ("step_lr_every_3", "sgd", spec("StepLR", step_size=3, gamma=0.9)),
    ("multi_step_lr_repeated_milestone", "sgd", spec("MultiStepLR", milestones=[20, 5, 12, 12], gamma=0.5)),
    ("multi_step_lr_milestone_0", "sgd", spec("MultiStepLR", milestones=[0, 10])),
    ("exponential_lr_0.9", "sgd", spec("ExponentialLR", gamma=0.9)),
    ("exponential_lr_0.95", "sgd", spec("ExponentialLR", gamma=0.95)),
    ("cosine_annealing_lr_past_t_max", "sgd", spec("CosineAnnealingLR", T_max=10)),
    ("cosine_annealing_lr_eta_min", "sgd", spec("CosineAnnealingLR", T_max=7, eta_min=0.001)),
    ("linear_lr_default", "sgd", spec("LinearLR")),
    ("linear_lr_up", "sgd", spec("LinearLR", start_factor=0.25, end_factor=0.75, total_iters=10)),
    ("linear_lr_down", "sgd", spec("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=20)),
    ("one_cycle_lr_default", "sgd", spec("OneCycleLR", max_lr=0.5, total_steps=STEPS)),
    ("one_cycle_lr_linear_three_phase_beta1", "adam",
     spec("OneCycleLR", max_lr=[0.5, 0.05], epochs=3, steps_per_epoch=10, anneal_strategy="linear",
          three_phase=True, base_momentum=0.8, max_momentum=[0.9, 0.95], div_factor=10.0, final_div_factor=100.0)),
    ("one_cycle_lr_no_momentum", "sgd",
     spec("OneCycleLR", max_lr=1.0, total_steps=40, pct_start=0.25, cycle_momentum=False)),
    ("sequential_lr_warmup_then_exponential", "sgd",
     spec("SequentialLR", schedulers=[spec("LinearLR", start_factor=0.1, total_iters=5),
                                      spec("ExponentialLR", gamma=0.9)], milestones=[5])),
    ("sequential_lr_three", "sgd",
     spec("SequentialLR", schedulers=[spec("StepLR", step_size=3, gamma=0.5),
                                      spec("CosineAnnealingLR", T_max=10, eta_min=0.001),
                                      spec("LambdaLR", lr_lambda="pow_0.95")], milestones=[6, 16])),
]


def build(optimizer, s):
    args = dict(s["args"])
    if s["type"] == "SequentialLR":
        args["schedulers"] = [build(optimizer, child) for child in args["schedulers"]]
    if s["type"] == "LambdaLR":
        names = args["lr_lambda"]
        args["lr_lambda"] = [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
    return getattr(lr_scheduler, s["type"])(optimizer, **args)


def momentum(optimizer):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in optimizer.param_groups]


def run(name, optimizer_name, s):
    params = [torch.zeros(2, requires_grad=True) for _ in GROUP_LRS]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, GROUP_LRS)]
    optimizer = torch.optim.SGD(groups, momentum=0.9) if optimizer_name == "sgd" else torch.optim.Adam(groups)
    scheduler = build(optimizer, s)
    lrs, moms = [[g["lr"] for g in optimizer.param_groups]], [momentum(optimizer)]
    for _ in range(STEPS):
        optimizer.step()  # no gradients: only keeps PyTorch from warning about the call order
        scheduler.step()
        lrs.append([g["lr"] for g in optimizer.param_groups])
        moms.append(momentum(optimizer))
    return {"name": name, "optimizer": optimizer_name, "group_lrs": GROUP_LRS, "scheduler": s,
            "lrs": lrs, "momentum": moms}


def main():
    warnings.simplefilter("ignore")
    cases = [run(*c) for c in CASES]
    lines = ",\n".join(json.dumps(c) for c in cases)
    with open(OUT, "w") as f:
        f.write('{"generator": "tools/gen_scheduler_golden.py", "torch": "%s", "cases": [\n%s\n]}\n'
                % (torch.__version__, lines))
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
