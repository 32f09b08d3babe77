#!/usr/bin/env python3
"""safetensors interchange between accel and the reference PyTorch (tests/tensor/test_serialization.cpp).

    .venv-torch/bin/python tools/safetensors_roundtrip.py write FILE     # PyTorch writes, accel reads
    .venv-torch/bin/python tools/safetensors_roundtrip.py check FILE     # accel writes, PyTorch reads
    .venv-torch/bin/python tools/safetensors_roundtrip.py fixtures       # rewrites tests/data/safetensors/

Both sides build the same tensors: the state_dict of MODEL (PyTorch's parameter names, as
nn.Sequential numbers its layers) and one extra tensor per dtype, every element given by
pattern_value(), which test_serialization.cpp computes too. `check` exits non-zero and says what
differs; it reads the file twice, with the safetensors package and with nothing but json and
torch.frombuffer (the format is that simple), and loads the weights into MODEL with strict=True.

Fixtures (committed, so the C++ tests need no Python):
  torch_model.safetensors  `write` of the model and extras, metadata {"format": "pt"}
  python_layout.safetensors  a few tensors in the order the Python library lays them out; accel
                             must write the same bytes for them (test SafeTensors.WritesPythonBytes)
"""
import json
import os
import struct
import sys

import torch
from safetensors.torch import load_file, save_file

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_DIR = os.path.join(REPO, "tests", "data", "safetensors")

ST_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
             "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}


def make_model():
    # 1x4x4 input -> conv 2x2x2 -> 8 features.
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(8, 3))


# (name, shape, dtype) of the tensors beyond the model's: every dtype, a 0-dim and an empty tensor.
EXTRAS = [
    ("extra.f64", [2, 3], torch.float64),
    ("extra.f16", [5], torch.float16),
    ("extra.bf16", [2, 2], torch.bfloat16),
    ("extra.i32", [4], torch.int32),
    ("extra.u8", [3, 1], torch.uint8),
    ("extra.bool", [6], torch.bool),
    ("extra.scalar", [], torch.float32),
    ("extra.empty", [0, 3], torch.float32),
]


def pattern_value(j, i, dtype):
    """Element i (row-major) of the j-th tensor: multiples of 1/16 in [-0.5, 0.5], exact in every
    floating dtype; small integers; booleans."""
    k = (i * 7 + j * 3) % 17
    if dtype == torch.bool:
        return (i + j) % 3 == 0
    if dtype == torch.uint8:
        return k
    if dtype in (torch.int32, torch.int64):
        return k - 8
    return (k - 8) / 16


def pattern_tensor(j, shape, dtype):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([pattern_value(j, i, dtype) for i in range(n)], dtype=dtype).reshape(shape)


def expected_tensors():
    """The model's state_dict names, shapes and dtypes, then EXTRAS, all filled with the pattern."""
    specs = [(name, list(t.shape), t.dtype) for name, t in make_model().state_dict().items()] + EXTRAS
    return {name: pattern_tensor(j, shape, dtype) for j, (name, shape, dtype) in enumerate(specs)}


def read_plain(path):
    """The format by hand: 8-byte length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = ST_DTYPES[info["dtype"]]
        chunk = bytearray(data[begin:end])
        t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"])
    return out


def compare(got, want, how):
    problems = []
    if sorted(got) != sorted(want):
        problems.append(f"{how}: names {sorted(got)} != {sorted(want)}")
    for name, w in want.items():
        g = got.get(name)
        if g is None:
            continue
        if g.dtype != w.dtype or list(g.shape) != list(w.shape):
            problems.append(f"{how}: {name} is {g.dtype} {list(g.shape)}, expected {w.dtype} {list(w.shape)}")
        elif not torch.equal(g, w):
            problems.append(f"{how}: {name} values {g.flatten().tolist()} != {w.flatten().tolist()}")
    return problems


def check(path):
    want = expected_tensors()
    problems = compare(load_file(path), want, "safetensors.torch.load_file")
    problems += compare(read_plain(path), want, "json + torch.frombuffer")
    if not problems:
        model = make_model()
        loaded = load_file(path)
        model.load_state_dict({k: loaded[k] for k in model.state_dict()}, strict=True)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def write(path):
    save_file(expected_tensors(), path, metadata={"format": "pt"})


def write_fixtures():
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    write(os.path.join(FIXTURE_DIR, "torch_model.safetensors"))
    # Mixed itemsizes, inserted out of layout order: the Python library sorts them.
    layout = {"b_u8": torch.tensor([1, 2, 3], dtype=torch.uint8),
              "a_f32": torch.tensor([[0.5, -1.0], [2.0, 1e-3]]),
              "c_i64": torch.tensor(-7, dtype=torch.int64),
              "d_bf16": torch.tensor([1.5, -0.25], dtype=torch.bfloat16),
              "e_bool": torch.tensor([True, False]),
              "f_empty": torch.zeros(0, 2, dtype=torch.float16)}
    save_file(layout, os.path.join(FIXTURE_DIR, "python_layout.safetensors"), metadata={"format": "pt"})


def main(argv):
    if len(argv) == 2 and argv[1] == "fixtures":
        write_fixtures()
        return 0
    if len(argv) == 3 and argv[1] == "write":
        write(argv[2])
        return 0
    if len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
