#!/usr/bin/env python3
"""Writes forward values, state dicts and gradients of PyTorch's normalization, embedding, attention
and transformer modules to tests/data/golden/nn_norm_attention.json. tests/nn/test_layers_golden.cpp
builds the same accel modules, loads each case's state dict (strictly, with PyTorch's keys, which also
proves that the parameter names match), replays the calls and compares.

    tools/setup-reference-torch.sh                         # once: creates .venv-torch
    .venv-torch/bin/python tools/gen_nn_layers_golden.py

Everything is float64 (modules converted with .double()), so the comparison checks the formulas.
Weights are seeded random values rather than the default init, so that every parameter matters.

File format (compact JSON, one case per line, tensor encoding of tools/gen_golden.py):
  {"generator": ..., "torch": "<version>", "cases": [case, ...]}
  case = {"name": ..., "module": "BatchNorm2d" | ..., "args": {constructor arguments},
          "state": {key: tensor}                      (the full state_dict, in PyTorch's order)
          "calls": [{"train": bool, "inputs": {name: tensor}, "options": {forward flags},
                     "outputs": {name: tensor}, "state": {key: tensor after the call}}],
          "grads": {name: tensor}}   (of sum(outputs["out"] * inputs["grad_out"]) in the first call,
                                      for the floating inputs and every parameter)
"""
import json
import os
import sys
import warnings

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_golden import tensor_json  # noqa: E402  (the same encoding)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "data", "golden", "nn_norm_attention.json")
SEED = 20240801
f64 = torch.float64


class Case:
    def __init__(self, name, module_name, args, module, gen):
        self.gen = gen
        self.module = module.double()
        # Parameters drawn around their usual scale; running stats and counters kept as built.
        with torch.no_grad():
            for key, p in self.module.named_parameters():
                base = 1.0 if key.endswith("weight") and p.dim() == 1 else 0.0  # norm scales around 1
                p.copy_(base + 0.5 * self.randn(p.shape))
            for key, b in self.module.named_buffers():
                if key.endswith("running_mean"):
                    b.copy_(0.3 * self.randn(b.shape))
                elif key.endswith("running_var"):
                    b.copy_(1 + 0.5 * torch.rand(b.shape, generator=gen, dtype=f64))
        self.json = {"name": name, "module": module_name, "args": args,
                     "state": {k: tensor_json(v) for k, v in self.module.state_dict().items()},
                     "calls": []}

    def randn(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list, torch.Size)) else shape
        return torch.randn(tuple(shape), generator=self.gen, dtype=f64)

    def call(self, train, inputs, options=None, run=None, grads=False):
        """run(module, **inputs, **options) -> dict of outputs; inputs: name -> tensor."""
        self.module.train(train)
        options = options or {}
        differentiable = {k: t for k, t in inputs.items() if t.is_floating_point() and "mask" not in k}
        if grads:
            for t in differentiable.values():
                t.requires_grad_()
            self.module.zero_grad()
        outputs = run(self.module, **inputs, **options)
        if grads:
            grad_out = self.randn(outputs["out"].shape)
            (outputs["out"] * grad_out).sum().backward()
            self.json["grads"] = {
                **{k: tensor_json(t.grad) for k, t in differentiable.items()},
                **{k: tensor_json(p.grad) for k, p in self.module.named_parameters()}}
            inputs = dict(inputs, grad_out=grad_out)
        self.json["calls"].append({
            "train": train, "inputs": {k: tensor_json(v.detach()) for k, v in inputs.items()},
            "options": options_json(options),
            "outputs": {k: tensor_json(v.detach()) for k, v in outputs.items() if v is not None},
            "state": {k: tensor_json(v) for k, v in self.module.state_dict().items()}})


def options_json(options):
    # Masks are inputs; only plain flags stay in "options".
    return {k: v for k, v in options.items() if not isinstance(v, torch.Tensor)}


def single(module, x):
    return {"out": module(x)}


def attention(module, query, key=None, value=None, **options):
    key = query if key is None else key
    value = key if value is None else value
    out, weights = module(query, key, value, **options)
    return {"out": out, "weights": weights}


def encoder(module, src, **options):
    return {"out": module(src, **options)}


def causal_bool(n):
    # PyTorch's bool masks mark the positions that may NOT be attended.
    return torch.ones(n, n, dtype=torch.bool).triu(1)


def norm_cases(gen):
    cases = []
    c = Case("batchnorm2d_momentum", "BatchNorm2d", {"num_features": 3, "eps": 1e-4, "momentum": 0.3},
             nn.BatchNorm2d(3, eps=1e-4, momentum=0.3), gen)
    c.module.num_batches_tracked.fill_(2)
    c.json["state"]["num_batches_tracked"] = tensor_json(c.module.num_batches_tracked)
    c.call(True, {"x": c.randn(4, 3, 5, 5)}, run=single, grads=True)
    c.call(True, {"x": 2 + 3 * c.randn(2, 3, 4, 4)}, run=single)
    c.call(False, {"x": c.randn(2, 3, 4, 4)}, run=single)
    cases.append(c)

    c = Case("batchnorm1d_cumulative", "BatchNorm1d", {"num_features": 4, "momentum": None},
             nn.BatchNorm1d(4, momentum=None), gen)
    for scale in (1, 2, 3):
        c.call(True, {"x": scale * c.randn(6, 4) + scale}, run=single)
    c.call(False, {"x": c.randn(5, 4)}, run=single)
    cases.append(c)

    c = Case("batchnorm1d_3d_no_affine", "BatchNorm1d", {"num_features": 4, "affine": False},
             nn.BatchNorm1d(4, affine=False), gen)
    c.call(True, {"x": c.randn(3, 4, 5)}, run=single, grads=True)
    c.call(False, {"x": c.randn(3, 4, 5)}, run=single)
    cases.append(c)

    c = Case("batchnorm2d_untracked", "BatchNorm2d", {"num_features": 3, "track_running_stats": False},
             nn.BatchNorm2d(3, track_running_stats=False), gen)
    c.call(False, {"x": c.randn(2, 3, 3, 3)}, run=single)  # batch statistics even in eval
    cases.append(c)

    c = Case("layernorm_2d_shape", "LayerNorm", {"normalized_shape": [4, 5], "eps": 1e-6},
             nn.LayerNorm([4, 5], eps=1e-6), gen)
    c.call(True, {"x": c.randn(2, 3, 4, 5)}, run=single, grads=True)
    cases.append(c)

    c = Case("layernorm_no_bias", "LayerNorm", {"normalized_shape": [5], "bias": False},
             nn.LayerNorm(5, bias=False), gen)
    c.call(True, {"x": c.randn(3, 5)}, run=single, grads=True)
    cases.append(c)

    c = Case("groupnorm", "GroupNorm", {"num_groups": 2, "num_channels": 6, "eps": 1e-3},
             nn.GroupNorm(2, 6, eps=1e-3), gen)
    c.call(True, {"x": c.randn(2, 6, 3, 3)}, run=single, grads=True)
    cases.append(c)

    c = Case("embedding_padding", "Embedding", {"num_embeddings": 10, "embedding_dim": 4, "padding_idx": 0},
             nn.Embedding(10, 4, padding_idx=0), gen)
    c.call(True, {"indices": torch.tensor([[1, 0, 3], [9, 3, 0]])}, run=lambda m, indices: {"out": m(indices)},
           grads=True)
    cases.append(c)
    return cases


def attention_cases(gen):
    cases = []
    c = Case("mha_self_seq_first", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2},
             nn.MultiheadAttention(8, 2), gen)
    c.call(True, {"query": c.randn(4, 2, 8)}, run=attention, grads=True)
    cases.append(c)

    c = Case("mha_cross_batch_first_masks", "MultiheadAttention",
             {"embed_dim": 8, "num_heads": 2, "batch_first": True},
             nn.MultiheadAttention(8, 2, batch_first=True), gen)
    padding = torch.tensor([[False] * 5, [False, False, False, True, True]])
    c.call(True, {"query": c.randn(2, 3, 8), "key": c.randn(2, 5, 8), "value": c.randn(2, 5, 8),
                  "key_padding_mask": padding, "attn_mask": c.randn(3, 5)},
           {"average_attn_weights": False}, run=attention, grads=True)
    cases.append(c)

    c = Case("mha_no_bias_3d_bool_mask", "MultiheadAttention",
             {"embed_dim": 8, "num_heads": 4, "bias": False, "batch_first": True},
             nn.MultiheadAttention(8, 4, bias=False, batch_first=True), gen)
    mask = torch.rand(2 * 4, 3, 3, generator=gen) < 0.4
    mask[:, :, 0] = False  # every query keeps a key (PyTorch returns NaN for a fully masked row)
    c.call(True, {"query": c.randn(2, 3, 8), "attn_mask": mask}, run=attention, grads=True)
    cases.append(c)

    c = Case("mha_causal_no_weights", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2, "batch_first": True},
             nn.MultiheadAttention(8, 2, batch_first=True), gen)
    c.call(True, {"query": c.randn(2, 5, 8), "attn_mask": causal_bool(5)},
           {"need_weights": False, "is_causal": True}, run=attention, grads=True)
    cases.append(c)

    c = Case("mha_unbatched", "MultiheadAttention", {"embed_dim": 6, "num_heads": 3},
             nn.MultiheadAttention(6, 3), gen)
    c.call(False, {"query": c.randn(4, 6), "key": c.randn(3, 6), "value": c.randn(3, 6)}, run=attention)
    cases.append(c)

    c = Case("encoder_post_norm_relu", "TransformerEncoderLayer",
             {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True},
             nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True), gen)
    c.call(False, {"src": c.randn(2, 4, 8), "src_mask": causal_bool(4),
                   "src_key_padding_mask": torch.tensor([[False] * 4, [False, False, False, True]])},
           run=encoder, grads=True)
    cases.append(c)

    c = Case("encoder_pre_norm_gelu", "TransformerEncoderLayer",
             {"d_model": 8, "nhead": 4, "dim_feedforward": 12, "activation": "gelu", "layer_norm_eps": 1e-6,
              "norm_first": True},
             nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, activation="gelu", layer_norm_eps=1e-6,
                                        norm_first=True), gen)
    c.call(False, {"src": c.randn(5, 2, 8), "src_mask": causal_bool(5)}, {"is_causal": True}, run=encoder,
           grads=True)
    cases.append(c)
    return cases


def main():
    # A bool key_padding_mask with a float attn_mask is well defined (both become additive masks);
    # accel accepts the mix, so the golden data covers it.
    warnings.filterwarnings("ignore", message="Support for mismatched key_padding_mask")
    torch.set_num_threads(1)  # the same accumulation order on every machine
    gen = torch.Generator().manual_seed(SEED)
    cases = [c.json for c in norm_cases(gen) + attention_cases(gen)]
    dump = lambda obj: json.dumps(obj, separators=(",", ":"), allow_nan=False)  # noqa: E731
    header = dump({"generator": "tools/gen_nn_layers_golden.py", "torch": torch.__version__.split("+")[0]})
    with open(OUT + ".tmp", "w") as f:
        f.write(header[:-1] + ',"cases":[\n' + ",\n".join(dump(c) for c in cases) + "\n]}\n")
    os.replace(OUT + ".tmp", OUT)
    print(f"{os.path.relpath(OUT, REPO)}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
