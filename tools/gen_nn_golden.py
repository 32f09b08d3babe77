#!/usr/bin/env python3
"""Writes golden values of accel's nn-core layers and utils, computed by the reference PyTorch, to
tests/data/golden/nn_layers.json. tests/nn/test_layers.cpp builds the same module in accel (its
constructor call is listed next to each case name there), checks that it prints PyTorch's repr and
has PyTorch's state-dict keys, loads PyTorch's state dict, and compares the forward output and the
gradients of the input and of every parameter (for the loss sum(output * upstream)).
tests/nn/test_utils.cpp replays the clip_grad_norm_ cases.

    .venv-torch/bin/python tools/gen_nn_golden.py

File format (compact JSON, one case per line, tensors encoded as in tools/gen_golden.py):
  {"generator": ..., "torch": "<version>", "layers": [layer, ...], "clip": [clip, ...]}
  layer = {"name": "conv2d_groups", "repr": "Conv2d(...)", "state": {key: tensor, ...} (state-dict order),
           "input": tensor, "upstream": tensor, "output": tensor,
           "grads": {"input": tensor, key: tensor, ...}}
  clip  = {"name": ..., "max_norm": float, "norm_type": float | "inf", "grads": [tensor, ...],
           "total_norm": float, "clipped": [tensor, ...]}
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_golden import tensor_json  # noqa: E402  (the same encoding)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "data", "golden", "nn_layers.json")
SEED = 20240801


def layer_specs():
    """(name, module, input shape); the C++ test builds the same modules under the same names."""
    return [
        ("linear", nn.Linear(5, 3), (4, 5)),
        ("linear_no_bias_3d", nn.Linear(5, 3, bias=False), (2, 4, 5)),
        ("conv1d", nn.Conv1d(2, 4, 3, stride=2, padding=1), (2, 2, 9)),
        ("conv2d", nn.Conv2d(3, 4, 3, padding=1), (2, 3, 6, 6)),
        ("conv2d_groups", nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), groups=2, bias=False),
         (2, 4, 7, 8)),
        ("maxpool2d", nn.MaxPool2d(2), (2, 3, 6, 6)),
        ("maxpool2d_ceil", nn.MaxPool2d((3, 3), stride=2, padding=1, ceil_mode=True), (1, 2, 7, 8)),
        ("avgpool2d", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (1, 2, 7, 8)),
        ("adaptive_avgpool2d", nn.AdaptiveAvgPool2d((2, 3)), (2, 2, 7, 8)),
        ("flatten", nn.Flatten(), (2, 3, 4)),
        ("unflatten", nn.Unflatten(1, (2, 3)), (4, 6)),
        ("identity", nn.Identity(), (3, 4)),
        ("relu", nn.ReLU(), (3, 7)),
        ("gelu", nn.GELU(), (3, 7)),
        ("gelu_tanh", nn.GELU(approximate="tanh"), (3, 7)),
        ("silu", nn.SiLU(), (3, 7)),
        ("tanh", nn.Tanh(), (3, 7)),
        ("sigmoid", nn.Sigmoid(), (3, 7)),
        ("leaky_relu", nn.LeakyReLU(0.2), (3, 7)),
        ("softmax", nn.Softmax(dim=1), (3, 7)),
        ("log_softmax", nn.LogSoftmax(dim=-1), (3, 7)),
        ("mlp", nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)), (5, 6)),
        ("cnn", nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.SiLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(36, 5)), (2, 1, 6, 6)),
    ]


def layer_case(gen, name, module, shape):
    with torch.no_grad():  # weights away from their init so that a wrong layout shows
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    x = torch.randn(shape, generator=gen).requires_grad_()
    y = module(x)
    upstream = torch.randn(y.shape, generator=gen)
    (y * upstream).sum().backward()
    grads = {"input": tensor_json(x.grad)}
    grads.update({k: tensor_json(p.grad) for k, p in module.named_parameters()})
    return {"name": name, "repr": repr(module),
            "state": {k: tensor_json(v) for k, v in module.state_dict().items()},
            "input": tensor_json(x.detach()), "upstream": tensor_json(upstream),
            "output": tensor_json(y.detach()), "grads": grads}


def clip_case(gen, name, max_norm, norm_type, shapes, scale=1.0, special=None):
    params = [torch.zeros(s, requires_grad=True) for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen) * scale
    if special is not None:
        params[0].grad.view(-1)[0] = special
    before = [tensor_json(p.grad.clone()) for p in params]
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    encode = lambda v: "inf" if v == float("inf") else ("nan" if v != v else float(v))  # noqa: E731
    return {"name": name, "max_norm": max_norm, "norm_type": encode(norm_type), "grads": before,
            "total_norm": encode(total.item()), "clipped": [tensor_json(p.grad) for p in params]}


def main():
    gen = torch.Generator().manual_seed(SEED)
    layers = [layer_case(gen, *spec) for spec in layer_specs()]
    shapes = [(3, 4), (5,), (2, 2, 2)]
    clip = [
        clip_case(gen, "l2_clipped", 1.0, 2.0, shapes),
        clip_case(gen, "l2_not_clipped", 100.0, 2.0, shapes),
        clip_case(gen, "l1", 2.0, 1.0, shapes),
        clip_case(gen, "l3", 0.5, 3.0, shapes),
        clip_case(gen, "inf", 0.5, float("inf"), shapes),
        clip_case(gen, "nonfinite_inf", 1.0, 2.0, shapes, special=float("inf")),
        clip_case(gen, "nonfinite_nan", 1.0, 2.0, shapes, special=float("nan")),
    ]
    with open(OUT, "w") as f:
        f.write('{"generator": "tools/gen_nn_golden.py", "torch": %s,\n"layers": [\n' % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in layers))
        f.write('],\n"clip": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in clip))
        f.write("]}\n")
    print(f"wrote {OUT}: {len(layers)} layers, {len(clip)} clip cases")


if __name__ == "__main__":
    main()
