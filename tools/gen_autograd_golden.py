#!/usr/bin/env python3
"""Writes the loss and every gradient of two small models, computed by the reference PyTorch, to
tests/data/golden/autograd_models.json. tests/autograd/test_golden_models.cpp builds the same
computation from accel's functional ops, runs backward and compares.

    tools/setup-reference-torch.sh                         # once: creates .venv-torch
    .venv-torch/bin/python tools/gen_autograd_golden.py

The models (fixed weights and inputs from a seeded generator, stored as values):
  mlp: x[6,20] -> linear 16 -> relu -> linear 8 -> relu -> linear 5 -> cross_entropy(int64 targets)
  cnn: x[4,1,8,8] -> conv2d 1->4 3x3 pad 1 -> batch_norm (training) -> relu -> max_pool2d 2
       -> conv2d 4->6 3x3 pad 1 groups 2 -> adaptive_avg_pool2d 2 -> flatten -> linear 3
       -> cross_entropy(int64 targets, label_smoothing 0.1)
Each in float64 and in float32 (the float64 values rounded; PyTorch computes in that dtype), so
the float64 cases check the formulas and the float32 ones the float32 paths.

File format (compact JSON, one case per line, same tensor encoding as tools/gen_golden.py):
  {"generator": ..., "torch": "<version>", "cases": [case, ...]}
  case = {"name": "mlp_f64", "model": "mlp" | "cnn", "dtype": "float64",
          "inputs": {"x": tensor, "target": tensor},
          "params": {"fc1.weight": tensor, ...},
          "buffers": {"bn.running_mean": tensor, ...}          (their values before the forward)
          "outputs": {"logits": tensor, "loss": tensor, "bn.running_mean": tensor, ...}  (after)
          "grads": {"x": tensor, "fc1.weight": tensor, ...}}
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_golden import DTYPE_NAMES, tensor_json  # noqa: E402  (the same encoding)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "data", "golden", "autograd_models.json")
SEED = 20240715
f32, f64 = torch.float32, torch.float64
LABEL_SMOOTHING = 0.1
BN_MOMENTUM, BN_EPS = 0.1, 1e-5


def uniform(gen, shape, bound):
    return (torch.rand(shape, generator=gen, dtype=f64) * 2 - 1) * bound


def linear_params(gen, name, fan_in, fan_out):
    # nn.Linear's default init range, so the activations stay O(1).
    b = fan_in ** -0.5
    return {f"{name}.weight": uniform(gen, (fan_out, fan_in), b), f"{name}.bias": uniform(gen, (fan_out,), b)}


def conv_params(gen, name, cin, cout, k, groups):
    b = (cin // groups * k * k) ** -0.5
    return {f"{name}.weight": uniform(gen, (cout, cin // groups, k, k), b), f"{name}.bias": uniform(gen, (cout,), b)}


def mlp_case(gen):
    params = {**linear_params(gen, "fc1", 20, 16), **linear_params(gen, "fc2", 16, 8),
              **linear_params(gen, "fc3", 8, 5)}
    inputs = {"x": torch.randn((6, 20), generator=gen, dtype=f64),
              "target": torch.randint(0, 5, (6,), generator=gen)}
    return params, {}, inputs


def mlp_forward(p, b, x, target):
    h = F.relu(F.linear(x, p["fc1.weight"], p["fc1.bias"]))
    h = F.relu(F.linear(h, p["fc2.weight"], p["fc2.bias"]))
    logits = F.linear(h, p["fc3.weight"], p["fc3.bias"])
    return logits, F.cross_entropy(logits, target)


def cnn_case(gen):
    params = {**conv_params(gen, "conv1", 1, 4, 3, 1),
              # batch norm's affine parameters away from their (1, 0) init, so their gradients matter
              "bn.weight": 1 + 0.5 * uniform(gen, (4,), 1.0), "bn.bias": 0.5 * uniform(gen, (4,), 1.0),
              **conv_params(gen, "conv2", 4, 6, 3, 2), **linear_params(gen, "fc", 24, 3)}
    buffers = {"bn.running_mean": 0.1 * uniform(gen, (4,), 1.0), "bn.running_var": 1 + 0.2 * uniform(gen, (4,), 1.0)}
    inputs = {"x": torch.randn((4, 1, 8, 8), generator=gen, dtype=f64),
              "target": torch.randint(0, 3, (4,), generator=gen)}
    return params, buffers, inputs


def cnn_forward(p, b, x, target):
    h = F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1)
    h = F.batch_norm(h, b["bn.running_mean"], b["bn.running_var"], p["bn.weight"], p["bn.bias"],
                     training=True, momentum=BN_MOMENTUM, eps=BN_EPS)
    h = F.max_pool2d(F.relu(h), 2)
    h = F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=1, groups=2)
    h = F.adaptive_avg_pool2d(h, 2).flatten(1)
    logits = F.linear(h, p["fc.weight"], p["fc.bias"])
    return logits, F.cross_entropy(logits, target, label_smoothing=LABEL_SMOOTHING)


MODELS = {"mlp": (mlp_case, mlp_forward), "cnn": (cnn_case, cnn_forward)}


def run_case(name, model, dtype, params, buffers, inputs):
    cast = lambda t: t.to(dtype if t.is_floating_point() else t.dtype, copy=True)  # noqa: E731
    p = {k: cast(v).requires_grad_() for k, v in params.items()}
    b = {k: cast(v) for k, v in buffers.items()}
    x, target = cast(inputs["x"]).requires_grad_(), inputs["target"]
    case = {"name": name, "model": model, "dtype": DTYPE_NAMES[dtype],
            "inputs": {"x": tensor_json(x), "target": tensor_json(target)},
            "params": {k: tensor_json(v) for k, v in p.items()},
            "buffers": {k: tensor_json(v) for k, v in b.items()}}
    logits, loss = MODELS[model][1](p, b, x, target)
    loss.backward()
    case["outputs"] = {"logits": tensor_json(logits), "loss": tensor_json(loss),
                       **{k: tensor_json(v) for k, v in b.items()}}  # running stats after the update
    case["grads"] = {"x": tensor_json(x.grad), **{k: tensor_json(v.grad) for k, v in p.items()}}
    return case


def main():
    torch.set_num_threads(1)  # the same accumulation order on every machine
    cases = []
    for model, (make, _) in MODELS.items():
        gen = torch.Generator().manual_seed(SEED + len(cases))
        params, buffers, inputs = make(gen)
        for dtype, tag in ((f64, "f64"), (f32, "f32")):
            cases.append(run_case(f"{model}_{tag}", model, dtype, params, buffers, inputs))
    dump = lambda obj: json.dumps(obj, separators=(",", ":"), allow_nan=False)  # noqa: E731
    header = dump({"generator": "tools/gen_autograd_golden.py", "torch": torch.__version__.split("+")[0]})
    with open(OUT + ".tmp", "w") as f:
        f.write(header[:-1] + ',"cases":[\n' + ",\n".join(dump(c) for c in cases) + "\n]}\n")
    os.replace(OUT + ".tmp", OUT)
    print(f"{os.path.relpath(OUT, REPO)}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
