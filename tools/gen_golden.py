#!/usr/bin/env python3
"""Writes the golden values of accel's ops, computed by the reference PyTorch, to
tests/data/golden/<family>.json. tests/kernels/test_golden.cpp runs every case through accel's
public API and compares shape, dtype (PyTorch's type promotion) and values.

    tools/setup-reference-torch.sh                      # once: creates .venv-torch
    .venv-torch/bin/python tools/gen_golden.py          # all families
    .venv-torch/bin/python tools/gen_golden.py nn loss  # some

The output is reproducible: every family draws its inputs from its own fixed-seed generator, so
re-running with the same torch version rewrites the same bytes (diffs show real changes).

File format (compact JSON, one shared tensor or case per line):
  {"family": "unary", "torch": "<version>", "generator": "tools/gen_golden.py",
   "tensors": {"t0": tensor, ...}, "cases": [case, ...]}
  case    = {"name": ..., "op": ..., "args": {...}, "inputs": {name: tensor | [tensor, ...]},
             "outputs": [tensor, ...]}
  tensor  = {"shape": [...], "dtype": "float32" | "float64" | "float16" | "bfloat16" | "int64" |
             "int32" | "uint8" | "bool", "values": [...]}    (flat, row-major)
  Floats are JSON numbers; NaN and infinities are the strings "nan", "inf", "-inf". Integer-valued
  arguments are written without a decimal point and float ones with one, because the kind of a
  scalar argument (int or float) takes part in PyTorch's type promotion.
  An input of more than SHARE_MIN elements is {"ref": "t3"}, a tensor of the file's "tensors" table
  (many cases share an input). Inputs may also carry "pattern": seed instead of values (values from
  pattern_values(), so that the few large inputs need no storage) and "noncontiguous": true (the test
  passes x.mT().contiguous().mT(), the same values in a transposed layout).
  Outputs of more than MAX_STORED elements carry
  "sample_stride": s and only the elements 0, s, 2s, ... (s is odd, so the samples sweep across rows
  and channels); this keeps the files at a few thousand numbers while the Fashion-MNIST-sized
  conv/pool cases still run at their real shapes.

Many float inputs are small multiples of 1/16 ("quant"): sums and products of those are exact in
float32, so results of matmul, conv, sum, pooling do not depend on the order of accumulation and the
test's tight float32 tolerance (rtol 1e-5, atol 1e-6) checks the op, not rounding noise.
"""
import json
import math
import os
import re
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "tests", "data", "golden")
SEED = 20240601
MAX_STORED = 4096  # elements of an output stored in full
SHARE_MIN = 8  # inputs with more elements go to the shared "tensors" table

f32, f64, i64, i32, u8, b8 = torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8, torch.bool
f16, bf16 = torch.float16, torch.bfloat16
NAN, INF = float("nan"), float("inf")
DTYPE_NAMES = {f32: "float32", f64: "float64", f16: "float16", bf16: "bfloat16", i64: "int64",
               i32: "int32", u8: "uint8", b8: "bool"}


# ---- encoding -------------------------------------------------------------------------------

def _float(v, dtype):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if dtype in (f32, f16):
        # The shortest decimal that reads back (via double, as the C++ test reads it) as the same
        # float32/float16: "0.1" instead of "0.10000000149011612".
        # float16 is checked through float32 too, the way a double may be narrowed on its way to half.
        np_t = np.float32 if dtype == f32 else np.float16
        short = float(str(np_t(v)))
        if (np_t(short) == np_t(v) and np_t(np.float32(short)) == np_t(v)
                and math.copysign(1, short) == math.copysign(1, v)):
            return short
    return v  # float64 (and bfloat16, whose values are exact doubles): repr round-trips


def encode_values(t):
    flat = t.detach().reshape(-1)
    if t.dtype == b8:
        return [bool(v) for v in flat.tolist()]
    if not t.dtype.is_floating_point:
        return [int(v) for v in flat.tolist()]
    return [_float(v, t.dtype) for v in flat.double().tolist()]


def encode_arg(v):
    if isinstance(v, float):
        return _float(v, f64)
    if isinstance(v, (list, tuple)):
        return [encode_arg(x) for x in v]
    if isinstance(v, dict):
        return {k: encode_arg(x) for k, x in v.items()}
    return v


def tensor_json(t):
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "values": encode_values(t)}


def output_json(t):
    j = {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype]}
    n = t.numel()
    if n <= MAX_STORED:
        j["values"] = encode_values(t)
        return j
    stride = next(p for p in (7, 13, 29, 53, 101, 211, 401) if n // p <= 512)
    j["sample_stride"] = stride
    j["values"] = encode_values(t.reshape(-1)[::stride])
    return j


class Pattern:
    """A large input described by a seed instead of stored values (see pattern_values)."""

    def __init__(self, shape, seed, dtype=f32):
        self.shape, self.seed, self.dtype = list(shape), seed, dtype
        self.tensor = pattern_values(self.shape, seed).to(dtype)


def pattern_values(shape, seed):
    # Multiples of 1/16 in [-1, 1] from a multiplicative hash of the flat index; the C++ test computes
    # the same: h = ((i + seed) * 2654435761) mod 2^32, value = ((h >> 8) % 33 - 16) / 16.
    n = math.prod(shape)
    i = np.arange(n, dtype=np.uint64) + np.uint64(seed)
    h = (i * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)
    v = ((h >> np.uint64(8)) % np.uint64(33)).astype(np.float64) - 16.0
    return torch.from_numpy(v / 16.0).reshape(shape)


class NonContiguous:
    """An input the test passes in a transposed layout (same values)."""

    def __init__(self, t):
        self.tensor = t


def unwrap(v):
    if isinstance(v, (Pattern, NonContiguous)):
        return v.tensor
    if isinstance(v, (list, tuple)):
        return [unwrap(x) for x in v]
    return v


class Family:
    def __init__(self, name):
        self.name = name
        self.cases = []
        # Input tensors of more than SHARE_MIN elements are stored once in the file's "tensors" table and
        # referenced by name, since many cases run different ops on the same input.
        self.tensors = {}
        self._tensor_names = {}
        # Each family has its own generator, so adding cases to one family leaves the others' bytes alone.
        self.gen = torch.Generator().manual_seed(SEED + zlib.crc32(name.encode()))

    def add(self, name, op, inputs, outputs, **args):
        """inputs: name -> tensor (or Pattern / NonContiguous / list of tensors); outputs: tensor or list."""
        name = re.sub(r"[^A-Za-z0-9_]", "_", name)
        assert all(c["name"] != name for c in self.cases), f"duplicate case {self.name}/{name}"
        if isinstance(outputs, torch.Tensor):
            outputs = [outputs]
        self.cases.append({
            "name": name, "op": op, "args": encode_arg(args),
            "inputs": {k: self._input(v) for k, v in inputs.items()},
            "outputs": [output_json(o) for o in outputs],
        })

    def _input(self, v):
        if isinstance(v, (list, tuple)):
            return [self._input(x) for x in v]
        if isinstance(v, Pattern):
            return {"shape": v.shape, "dtype": DTYPE_NAMES[v.dtype], "pattern": v.seed}
        extra = {"noncontiguous": True} if isinstance(v, NonContiguous) else {}
        t = unwrap(v)
        j = tensor_json(t)
        if t.numel() <= SHARE_MIN:
            return dict(j, **extra)
        key = json.dumps(j, separators=(",", ":"))
        if key not in self._tensor_names:
            self._tensor_names[key] = f"t{len(self.tensors)}"
            self.tensors[self._tensor_names[key]] = j
        return dict({"ref": self._tensor_names[key]}, **extra)

    # Input makers. randn/rand: generic floats; quant: multiples of 1/16 (exact arithmetic).
    def randn(self, *shape, dtype=f32, scale=1.0):
        return (torch.randn(shape, generator=self.gen, dtype=f64) * scale).to(dtype)

    def rand(self, *shape, dtype=f32, lo=0.0, hi=1.0):
        return (lo + (hi - lo) * torch.rand(shape, generator=self.gen, dtype=f64)).to(dtype)

    def quant(self, *shape, dtype=f32, lim=16):
        return (torch.randint(-lim, lim + 1, shape, generator=self.gen).double() / 16).to(dtype)

    def randint(self, lo, hi, *shape, dtype=i64):
        return torch.randint(lo, hi, shape, generator=self.gen).to(dtype)

    def write(self):
        os.makedirs(OUT_DIR, exist_ok=True)
        path = os.path.join(OUT_DIR, f"{self.name}.json")
        dump = lambda obj: json.dumps(obj, separators=(",", ":"), allow_nan=False)  # noqa: E731
        header = dump({"family": self.name, "torch": torch.__version__.split("+")[0], "generator": "tools/gen_golden.py"})
        tensors = [f"{dump(k)}:{dump(v)}" for k, v in self.tensors.items()]
        cases = [dump(c) for c in self.cases]
        with open(path + ".tmp", "w") as f:
            f.write(header[:-1] + ',"tensors":{\n' + ",\n".join(tensors) + '\n},"cases":[\n' + ",\n".join(cases) + "\n]}\n")
        os.replace(path + ".tmp", path)
        numbers = sum(len(t["values"]) for t in self.tensors.values())
        for c in self.cases:
            numbers += sum(len(o["values"]) for o in c["outputs"])
            for v in c["inputs"].values():
                numbers += sum(len(t.get("values", [])) for t in (v if isinstance(v, list) else [v]))
        print(f"{os.path.relpath(path, REPO)}: {len(self.cases)} cases, {numbers} numbers, {os.path.getsize(path)} bytes")


def call(fn, inputs, **kw):
    """Runs fn on the tensors behind the inputs (the values PyTorch sees)."""
    return fn(**{k: unwrap(v) for k, v in inputs.items()}, **kw)


# ---- families -------------------------------------------------------------------------------

def gen_unary(fam):
    # Negative, zero (both signs), halves (rounding), large and special values; the ops' results
    # outside their domain (log(-1) = nan, log(0) = -inf, 1/0 = inf) are part of the contract.
    base = [-100.0, -10.0, -3.5, -2.5, -1.5, -1.0, -0.75, -0.5, -0.25, -0.0, 0.0, 0.25, 0.5, 0.75,
            1.0, 1.5, 2.5, 3.5, 3.7, 4.5, 10.0, 100.0]
    special = [NAN, INF, -INF]

    noise = fam.randn(8, dtype=f64, scale=2.0)  # the same in every case, so the input is stored once

    def values(dtype, extra=(), specials=True):
        t = torch.tensor(base + list(extra) + (special if specials else []), dtype=f64)
        return torch.cat([t, noise]).to(dtype)

    simple = {
        "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "exp2": torch.exp2, "log": torch.log,
        "log2": torch.log2, "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt,
        "rsqrt": torch.rsqrt, "reciprocal": torch.reciprocal, "sin": torch.sin, "cos": torch.cos,
        "tan": torch.tan, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
        "silu": F.silu, "erf": torch.erf, "floor": torch.floor, "ceil": torch.ceil,
        "round": torch.round, "trunc": torch.trunc, "square": torch.square,
        "logical_not": torch.logical_not, "isnan": torch.isnan, "isinf": torch.isinf,
        "isfinite": torch.isfinite,
    }
    for dtype, tag in ((f32, "f32"), (f64, "f64")):
        for op, fn in simple.items():
            x = values(dtype, extra=[-1.0e-3, 5.5, -4.5, 8388609.0])
            fam.add(f"{op}_{tag}", op, {"x": x}, fn(x))
        # sign(nan) is undocumented in PyTorch (it returns 0, NumPy returns nan): no NaN input.
        x = torch.cat([values(dtype, specials=False), torch.tensor([INF, -INF], dtype=dtype)])
        fam.add(f"sign_{tag}", "sign", {"x": x}, torch.sign(x))
        # gelu(+-inf) is implementation-defined in PyTorch (float32 gives nan on its vectorised path and
        # inf on its scalar one): no infinities.
        xg = torch.cat([values(dtype, specials=False), torch.tensor([NAN], dtype=dtype)])
        for approx in ("none", "tanh"):
            fam.add(f"gelu_{approx}_{tag}", "gelu", {"x": xg}, F.gelu(xg, approximate=approx), approximate=approx)
        x = values(dtype)
        for slope in (0.01, 0.2):
            fam.add(f"leaky_relu_{slope}_{tag}", "leaky_relu", {"x": x}, F.leaky_relu(x, slope), negative_slope=slope)
        for alpha in (1.0, 0.5):
            fam.add(f"elu_{alpha}_{tag}", "elu", {"x": x}, F.elu(x, alpha), alpha=alpha)
        for beta, threshold in ((1.0, 20.0), (2.0, 5.0), (0.5, 1.0)):
            fam.add(f"softplus_b{beta}_t{threshold}_{tag}", "softplus", {"x": x},
                    F.softplus(x, beta=beta, threshold=threshold), beta=beta, threshold=threshold)
        # x ** scalar: integer and float exponents (float ones of negative bases give nan).
        for e in (2, 3, 0, -1, 0.5, -2.5, 1.5):
            fam.add(f"pow_scalar_{e}_{tag}", "pow_scalar", {"x": x}, torch.pow(x, e), exponent=e)
        # scalar ** x
        for b in (2.0, 0.5, 3):
            e = values(dtype, specials=False).clamp(-20, 20)
            fam.add(f"pow_scalar_base_{b}_{tag}", "pow_scalar_base", {"exponent": e}, torch.pow(b, e), base=b)
        # clamp: one bound, both, and min > max (documented: every element becomes max); NaN stays NaN.
        for lo, hi in ((-1.0, 1.0), (-0.5, None), (None, 2.0), (1.0, -1.0)):
            args = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
            fam.add(f"clamp_{lo}_{hi}_{tag}", "clamp", {"x": x}, torch.clamp(x, lo, hi), **args)
        lo_t, hi_t = fam.randn(3, 1, dtype=dtype) - 1, fam.randn(8, dtype=dtype) + 1
        xm = fam.randn(3, 8, dtype=dtype, scale=2.0)
        fam.add(f"clamp_tensor_{tag}", "clamp_tensor", {"x": xm, "min": lo_t, "max": hi_t}, torch.clamp(xm, lo_t, hi_t))
        fam.add(f"clamp_tensor_min_only_{tag}", "clamp_tensor", {"x": xm, "min": lo_t}, torch.clamp(xm, min=lo_t))

    # Integer and bool inputs: ops that keep integers, and ops that promote them to float32.
    xi = torch.tensor([-7, -3, -2, -1, 0, 1, 2, 3, 5, 100, -100, 12345], dtype=i64)
    for op in ("neg", "abs", "sign", "square", "relu", "floor", "ceil", "round", "trunc",
               "exp", "sqrt", "sigmoid", "sin", "log1p", "logical_not", "isnan", "isfinite"):
        fam.add(f"{op}_i64", op, {"x": xi}, simple[op](xi) if op in simple else getattr(torch, op)(xi))
    fam.add("abs_i32", "abs", {"x": xi.to(i32)}, torch.abs(xi.to(i32)))
    fam.add("exp_i32", "exp", {"x": xi.to(i32)[:6]}, torch.exp(xi.to(i32)[:6]))
    xb = torch.tensor([True, False, True], dtype=b8)
    fam.add("logical_not_bool", "logical_not", {"x": xb}, torch.logical_not(xb))
    fam.add("pow_scalar_2_i64", "pow_scalar", {"x": xi}, torch.pow(xi, 2), exponent=2)
    fam.add("pow_scalar_0.5_i64", "pow_scalar", {"x": xi}, torch.pow(xi, 0.5), exponent=0.5)
    fam.add("pow_scalar_base_2_i64", "pow_scalar_base", {"exponent": xi.abs()[:6]}, torch.pow(2, xi.abs()[:6]), base=2)
    fam.add("pow_scalar_base_2.5_i64", "pow_scalar_base", {"exponent": xi[:6]}, torch.pow(2.5, xi[:6]), base=2.5)
    fam.add("clamp_i64", "clamp", {"x": xi}, torch.clamp(xi, -2, 3), min=-2, max=3)
    # An integer tensor clamped by a float bound becomes float32 (PyTorch >= 2.0 promotes).
    fam.add("clamp_i64_float_bound", "clamp", {"x": xi}, torch.clamp(xi, min=0.5), min=0.5)
    x16 = torch.tensor([-2.5, -1.0, 0.0, 0.5, 3.0], dtype=f16)
    fam.add("neg_f16", "neg", {"x": x16}, torch.neg(x16))
    fam.add("relu_bf16", "relu", {"x": x16.to(bf16)}, torch.relu(x16.to(bf16)))


def gen_binary(fam):
    a = fam.randn(3, 1, scale=2.0)
    b = fam.randn(4, scale=2.0)
    ai = fam.randint(-9, 10, 3, 1)
    bi = fam.randint(-9, 10, 4)
    bnz = torch.where(bi == 0, torch.tensor(3), bi)  # integer division by zero raises in PyTorch
    spec_a = torch.tensor([[NAN], [INF], [-INF], [0.0], [-0.0], [2.5]])
    spec_b = torch.tensor([NAN, INF, -INF, 0.0, -0.0, 2.5, -3.0])
    a64, b64 = a.double(), b.double()

    def pair(op, fn, tag=None, **args):
        """float32 and float64 [3, 1] x [4], and every pairing of special values."""
        tag = tag or op
        fam.add(f"{tag}_f32_3x1_4", op, {"a": a, "b": b}, fn(a, b), **args)
        fam.add(f"{tag}_f64_3x1_4", op, {"a": a64, "b": b64}, fn(a64, b64), **args)
        fam.add(f"{tag}_special", op, {"a": spec_a, "b": spec_b}, fn(spec_a, spec_b), **args)

    pair("add", lambda x, y: torch.add(x, y))
    fam.add("add_alpha_int", "add", {"a": a, "b": b}, torch.add(a, b, alpha=2), alpha=2)
    fam.add("add_alpha_float", "add", {"a": a, "b": b}, torch.add(a, b, alpha=-0.5), alpha=-0.5)
    fam.add("add_i64_alpha", "add", {"a": ai, "b": bi}, torch.add(ai, bi, alpha=3), alpha=3)
    pair("sub", torch.sub)
    fam.add("sub_alpha", "sub", {"a": a, "b": b}, torch.sub(a, b, alpha=1.5), alpha=1.5)
    fam.add("sub_i64_alpha", "sub", {"a": ai, "b": bi}, torch.sub(ai, bi, alpha=2), alpha=2)
    pair("mul", torch.mul)
    for mode, tag in ((None, "true"), ("floor", "floor"), ("trunc", "trunc")):
        rm = mode or ""
        pair("div", lambda x, y: torch.div(x, y, rounding_mode=mode), tag=f"div_{tag}", rounding_mode=rm)
        fam.add(f"div_{tag}_i64", "div", {"a": ai, "b": bnz}, torch.div(ai, bnz, rounding_mode=mode), rounding_mode=rm)
    fam.add("floor_divide_f32", "floor_divide", {"a": a, "b": b}, torch.floor_divide(a, b))
    fam.add("floor_divide_i64", "floor_divide", {"a": ai, "b": bnz}, torch.floor_divide(ai, bnz))
    pair("maximum", torch.maximum)
    pair("minimum", torch.minimum)
    pair("fmod", torch.fmod)
    pair("remainder", torch.remainder)
    pair("atan2", torch.atan2)
    fam.add("fmod_i64", "fmod", {"a": ai, "b": bnz}, torch.fmod(ai, bnz))
    fam.add("remainder_i64", "remainder", {"a": ai, "b": bnz}, torch.remainder(ai, bnz))
    fam.add("maximum_i64", "maximum", {"a": ai, "b": bi}, torch.maximum(ai, bi))
    fam.add("atan2_i64", "atan2", {"a": ai, "b": bi}, torch.atan2(ai, bi))
    # pow: negative bases with fractional exponents give nan; integer powers stay integer.
    pa = fam.randn(3, 1, scale=2.0)
    pb = torch.tensor([0.0, 1.0, 2.0, -1.0, 0.5, 3.0])
    pair("pow", torch.pow)
    fam.add("pow_f32_mixed", "pow", {"a": pa, "b": pb}, torch.pow(pa, pb))
    ei = fam.randint(0, 5, 4)
    fam.add("pow_i64", "pow", {"a": ai, "b": ei}, torch.pow(ai, ei))
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        fn = getattr(torch, op)
        ab = torch.round(a)  # some equal pairs
        bb = torch.round(b)
        fam.add(f"{op}_f32", op, {"a": ab, "b": bb}, fn(ab, bb))
        fam.add(f"{op}_special", op, {"a": spec_a, "b": spec_b}, fn(spec_a, spec_b))
        fam.add(f"{op}_i64_f32", op, {"a": ai, "b": bb}, fn(ai, bb))
    for op in ("logical_and", "logical_or", "logical_xor"):
        fn = getattr(torch, op)
        x = torch.tensor([[True], [False]])
        y = torch.tensor([True, False, True])
        fam.add(f"{op}_bool", op, {"a": x, "b": y}, fn(x, y))
        fam.add(f"{op}_f32_i64", op, {"a": spec_a, "b": bi}, fn(spec_a, bi))

    # Type promotion: categories, widths, and 0-dim tensors (which do not widen within a category).
    promo = [
        ("i64_f32", ai, b), ("f32_f64", a, b64), ("i32_i64", ai.to(i32), bi), ("u8_i64", ai.abs().to(u8), bi),
        ("u8_i32", ai.abs().to(u8), bi.to(i32)), ("bool_i64", ai > 0, bi), ("bool_f32", ai > 0, b),
        ("i64_bool", ai, bi > 0), ("i32_f64", ai.to(i32), b64),
        ("f32_0d_f64", a, torch.tensor(2.5, dtype=f64)), ("i64_0d_f64", ai, torch.tensor(2.5, dtype=f64)),
        ("i32_0d_i64", ai.to(i32), torch.tensor(7)), ("f64_0d_f32", a64, torch.tensor(1.5)),
        ("0d_0d_i64_f32", torch.tensor(3), torch.tensor(0.25)),
        ("f16_f32", a.to(f16), b), ("f16_0d_f32", a.to(f16), torch.tensor(0.5)),
        ("bf16_f16", a.to(bf16), b.to(f16)),
        ("u8_0d_i64", ai.abs().to(u8), torch.tensor(200)),
    ]
    for tag, x, y in promo:
        fam.add(f"add_promote_{tag}", "add", {"a": x, "b": y}, torch.add(x, y))
        fam.add(f"mul_promote_{tag}", "mul", {"a": x, "b": y}, torch.mul(x, y))
    fam.add("div_true_promote_i64_i64", "div", {"a": ai, "b": bnz}, torch.div(ai, bnz), rounding_mode="")
    fam.add("div_true_promote_i32_0d_f64", "div", {"a": ai.to(i32), "b": torch.tensor(4.0, dtype=f64)},
            torch.div(ai.to(i32), torch.tensor(4.0, dtype=f64)), rounding_mode="")
    fam.add("maximum_promote_i64_f32", "maximum", {"a": ai, "b": b}, torch.maximum(ai, b))
    fam.add("sub_promote_i32_f64", "sub", {"a": ai.to(i32), "b": b64}, torch.sub(ai.to(i32), b64))

    # Non-contiguous operands take the strided path.
    m1, m2 = fam.randn(4, 5), fam.randn(4, 5)
    fam.add("add_noncontiguous", "add", {"a": NonContiguous(m1), "b": m2}, m1 + m2)
    fam.add("mul_noncontiguous_both", "mul", {"a": NonContiguous(m1), "b": NonContiguous(m2)}, m1 * m2)

    # where / masked_fill / lerp / addcmul / addcdiv, with broadcasting.
    cond = fam.randn(3, 1) > 0
    cond2 = fam.randn(3, 4) > 0
    fam.add("where_f32", "where", {"condition": cond2, "a": a, "b": b}, torch.where(cond2, a, b))
    c3 = fam.randn(2, 1, 1)
    fam.add("where_broadcast_all", "where", {"condition": cond, "a": b, "b": c3}, torch.where(cond, b, c3))
    fam.add("where_promote_i64_f64", "where", {"condition": cond2, "a": ai, "b": b64}, torch.where(cond2, ai, b64))
    fam.add("where_special", "where", {"condition": cond2, "a": spec_a[:3], "b": b}, torch.where(cond2, spec_a[:3], b))
    fam.add("where_scalar_other_f32", "where_scalar_other", {"condition": cond2, "a": a},
            torch.where(cond2, a, -1.5), value=-1.5)
    fam.add("where_scalar_other_i64_float", "where_scalar_other", {"condition": cond2, "a": ai},
            torch.where(cond2, ai, 2.5), value=2.5)
    fam.add("where_scalar_other_i64_int", "where_scalar_other", {"condition": cond2, "a": ai},
            torch.where(cond2, ai, 7), value=7)
    fam.add("where_scalar_self_f64", "where_scalar_self", {"condition": cond2, "b": b64},
            torch.where(cond2, 0.5, b64), value=0.5)
    mask = fam.randn(3, 4) > 0
    xm = fam.randn(3, 4)
    fam.add("masked_fill_f32", "masked_fill", {"x": xm, "mask": mask}, xm.masked_fill(mask, -2.5), value=-2.5)
    fam.add("masked_fill_broadcast_mask", "masked_fill", {"x": xm, "mask": cond}, xm.masked_fill(cond, INF), value=INF)
    xmi = fam.randint(-5, 5, 3, 4)
    fam.add("masked_fill_i64", "masked_fill", {"x": xmi, "mask": mask}, xmi.masked_fill(mask, 9), value=9)
    s, e = fam.randn(3, 1), fam.randn(4)
    w = fam.rand(3, 4, lo=-0.5, hi=1.5)
    fam.add("lerp_tensor_weight", "lerp", {"start": s, "end": e, "weight": w}, torch.lerp(s, e, w))
    fam.add("lerp_tensor_weight_f64", "lerp", {"start": s.double(), "end": e.double(), "weight": w.double()},
            torch.lerp(s.double(), e.double(), w.double()))
    for wt in (0.25, 0.75, 1.5):  # PyTorch switches formula at weight 0.5
        fam.add(f"lerp_scalar_{wt}", "lerp_scalar", {"start": s, "end": e}, torch.lerp(s, e, wt), weight=wt)
    x, t1, t2 = fam.randn(3, 4), fam.randn(3, 1), fam.randn(4)
    t2nz = t2.sign() * (t2.abs() + 0.5)
    for v in (1, 0.5, -2):
        fam.add(f"addcmul_{v}", "addcmul", {"x": x, "tensor1": t1, "tensor2": t2}, torch.addcmul(x, t1, t2, value=v), value=v)
        fam.add(f"addcdiv_{v}", "addcdiv", {"x": x, "tensor1": t1, "tensor2": t2nz}, torch.addcdiv(x, t1, t2nz, value=v), value=v)
    xi3 = fam.randint(-5, 5, 3, 4)
    fam.add("addcmul_i64", "addcmul", {"x": xi3, "tensor1": ai, "tensor2": bi}, torch.addcmul(xi3, ai, bi, value=2), value=2)
    fam.add("addcmul_f64", "addcmul", {"x": x.double(), "tensor1": t1.double(), "tensor2": t2.double()},
            torch.addcmul(x.double(), t1.double(), t2.double(), value=0.5), value=0.5)
    # isclose (|a - b| <= atol + rtol |b|), with NaN handling.
    ia = torch.tensor([1.0, 1.0, 1.0, NAN, INF, -INF, 0.0, 1e-9])
    ib = torch.tensor([1.0 + 1e-6, 1.001, 1.0 + 2e-5, NAN, INF, INF, 1e-9, 0.0])
    fam.add("isclose_default", "isclose", {"a": ia, "b": ib}, torch.isclose(ia, ib), rtol=1e-5, atol=1e-8, equal_nan=False)
    fam.add("isclose_equal_nan", "isclose", {"a": ia, "b": ib}, torch.isclose(ia, ib, 1e-2, 0.0, True),
            rtol=1e-2, atol=0.0, equal_nan=True)


def gen_reduce(fam):
    x = fam.randn(3, 4, 5)
    x64 = x.double()
    q = fam.quant(3, 4, 5)  # exact sums
    xi = fam.randint(-5, 6, 3, 4, 5)
    xb = fam.randn(3, 4, 5) > 0.5
    dims_list = [([], False), ([1], False), ([1], True), ([0, 2], False), ([0, 2], True), ([-1], False),
                 ([0, 1, 2], True)]

    def dims_tag(dims, keepdim):
        return ("all" if not dims else "d" + "_".join(str(d) for d in dims).replace("-", "m")) + ("_keep" if keepdim else "")

    for name, t in (("f32", q), ("f64", x64), ("i64", xi), ("bool", xb)):
        for dims, keep in dims_list:
            r = torch.sum(t, dim=dims, keepdim=keep) if dims else (torch.sum(t, dim=(0, 1, 2), keepdim=True) if keep else torch.sum(t))
            fam.add(f"sum_{name}_{dims_tag(dims, keep)}", "sum", {"x": t}, r, dims=dims, keepdim=keep)
    fam.add("sum_i64_dtype_f64", "sum", {"x": xi}, torch.sum(xi, dim=[1], dtype=f64), dims=[1], keepdim=False, dtype="float64")
    fam.add("sum_f32_dtype_f64", "sum", {"x": x}, torch.sum(x, dim=[2], dtype=f64), dims=[2], keepdim=False, dtype="float64")
    fam.add("sum_noncontiguous", "sum", {"x": NonContiguous(q)}, torch.sum(q, dim=[2]), dims=[2], keepdim=False)
    for name, t in (("f32", x), ("f64", x64)):
        for dims, keep in dims_list:
            r = torch.mean(t, dim=dims, keepdim=keep) if dims else torch.mean(t, dim=(0, 1, 2), keepdim=keep)
            fam.add(f"mean_{name}_{dims_tag(dims, keep)}", "mean", {"x": t}, r, dims=dims, keepdim=keep)
    fam.add("mean_i64_dtype_f32", "mean", {"x": xi}, torch.mean(xi, dim=[0], dtype=f32), dims=[0], keepdim=False, dtype="float32")
    xs = fam.rand(3, 4, 5, lo=0.5, hi=1.5)
    for name, t in (("f32", xs), ("f64", xs.double()), ("i64", fam.randint(-3, 4, 3, 4, 5))):
        fam.add(f"prod_{name}_all", "prod", {"x": t}, torch.prod(t))
        fam.add(f"prod_{name}_d1", "prod", {"x": t}, torch.prod(t, 1), dim=1, keepdim=False)
        fam.add(f"prod_{name}_d2_keep", "prod", {"x": t}, torch.prod(t, 2, keepdim=True), dim=2, keepdim=True)
    fam.add("prod_bool", "prod", {"x": xb}, torch.prod(xb, 0), dim=0, keepdim=False)

    # Extremes; ties resolve to the first index (documented for max/min/argmax/argmin); NaN propagates.
    xt = torch.round(fam.randn(3, 4, 5) * 2) / 2  # many ties
    xn = x.clone()
    xn[1, 2, 3] = NAN
    xn[0, 0, 0] = INF
    for name, t in (("f32", x), ("ties", xt), ("nan", xn), ("i64", xi), ("f64", x64)):
        fam.add(f"max_{name}", "max", {"x": t}, torch.max(t))
        fam.add(f"min_{name}", "min", {"x": t}, torch.min(t))
        for dim, keep in ((0, False), (1, True), (-1, False)):
            tag = f"{name}_d{dim}{'_keep' if keep else ''}".replace("-", "m")
            fam.add(f"max_dim_{tag}", "max_dim", {"x": t}, list(torch.max(t, dim, keep)), dim=dim, keepdim=keep)
            fam.add(f"min_dim_{tag}", "min_dim", {"x": t}, list(torch.min(t, dim, keep)), dim=dim, keepdim=keep)
            fam.add(f"argmax_{tag}", "argmax", {"x": t}, torch.argmax(t, dim, keep), dim=dim, keepdim=keep)
            fam.add(f"argmin_{tag}", "argmin", {"x": t}, torch.argmin(t, dim, keep), dim=dim, keepdim=keep)
        fam.add(f"argmax_{name}_flat", "argmax", {"x": t}, torch.argmax(t), keepdim=False)
        fam.add(f"argmin_{name}_flat", "argmin", {"x": t}, torch.argmin(t), keepdim=False)
        for dims, keep in dims_list[1:]:
            fam.add(f"amax_{name}_{dims_tag(dims, keep)}", "amax", {"x": t}, torch.amax(t, dims, keep), dims=dims, keepdim=keep)
            fam.add(f"amin_{name}_{dims_tag(dims, keep)}", "amin", {"x": t}, torch.amin(t, dims, keep), dims=dims, keepdim=keep)
        fam.add(f"amax_{name}_all", "amax", {"x": t}, torch.amax(t), dims=[], keepdim=False)

    for op in ("var", "std"):
        fn = getattr(torch, op)
        for name, t in (("f32", x), ("f64", x64)):
            for corr in (0, 1):
                for dims, keep in dims_list:
                    r = fn(t, dim=dims or None, correction=corr, keepdim=keep)
                    fam.add(f"{op}_{name}_c{corr}_{dims_tag(dims, keep)}", op, {"x": t}, r,
                            dims=dims, correction=corr, keepdim=keep)
        one = fam.randn(3, 1)
        fam.add(f"{op}_single_element_c1", op, {"x": one}, fn(one, dim=[1], correction=1), dims=[1], correction=1, keepdim=False)

    for name, t in (("f32", x), ("f64", x64)):
        for p in (1.0, 2.0, INF, -INF, 3.0, 0.0, 0.5):
            for dims, keep in (([], False), ([1], False), ([0, 2], True)):
                r = torch.linalg.vector_norm(t, ord=p, dim=dims or None, keepdim=keep)
                fam.add(f"norm_p{p}_{name}_{dims_tag(dims, keep)}", "norm", {"x": t}, r, p=p, dims=dims, keepdim=keep)
        for dims, keep in dims_list[1:]:
            fam.add(f"logsumexp_{name}_{dims_tag(dims, keep)}", "logsumexp", {"x": t}, torch.logsumexp(t, dims, keep),
                    dims=dims, keepdim=keep)
    big = torch.tensor([[1000.0, 1000.0, -1000.0], [-INF, -INF, -INF], [-INF, 0.0, 1.0], [INF, 1.0, 2.0]])
    fam.add("logsumexp_large_and_inf", "logsumexp", {"x": big}, torch.logsumexp(big, [1]), dims=[1], keepdim=False)
    fam.add("logsumexp_i64", "logsumexp", {"x": xi}, torch.logsumexp(xi, [1]), dims=[1], keepdim=False)

    xz = torch.where(fam.randn(3, 4, 5) > 0.8, torch.zeros(()), x)
    for op in ("all", "any"):
        fn = getattr(torch, op)
        for name, t in (("f32", xz), ("i64", xi), ("bool", xb)):
            for dims, keep in dims_list:
                r = fn(t, dim=tuple(dims), keepdim=keep) if dims else (fn(t, dim=(0, 1, 2), keepdim=True) if keep else fn(t))
                fam.add(f"{op}_{name}_{dims_tag(dims, keep)}", op, {"x": t}, r, dims=dims, keepdim=keep)

    for name, t in (("f32", q), ("f64", x64), ("i64", xi), ("i32", xi.to(i32)), ("bool", xb)):
        for dim in (0, 1, -1):
            fam.add(f"cumsum_{name}_d{dim}".replace("-", "m"), "cumsum", {"x": t}, torch.cumsum(t, dim), dim=dim)
    fam.add("cumsum_f32_dtype_f64", "cumsum", {"x": x}, torch.cumsum(x, 1, dtype=f64), dim=1, dtype="float64")
    fam.add("cumsum_special", "cumsum", {"x": torch.tensor([1.0, INF, 2.0, -INF, 3.0, NAN, 4.0])},
            torch.cumsum(torch.tensor([1.0, INF, 2.0, -INF, 3.0, NAN, 4.0]), 0), dim=0)

    # sort (stable: equal keys keep their order), argsort, topk (no ties, where order is unspecified).
    for name, t in (("ties_f32", xt[0]), ("f64", x64[0]), ("i64", xi[0])):
        for dim, desc in ((-1, False), (-1, True), (0, False), (0, True)):
            tag = f"{name}_d{dim}_{'desc' if desc else 'asc'}".replace("-", "m")
            fam.add(f"sort_{tag}", "sort", {"x": t}, list(torch.sort(t, dim=dim, descending=desc, stable=True)),
                    dim=dim, descending=desc, stable=True)
            fam.add(f"argsort_{tag}", "argsort", {"x": t}, torch.argsort(t, dim=dim, descending=desc, stable=True),
                    dim=dim, descending=desc, stable=True)
    sn = torch.tensor([3.0, NAN, -1.0, INF, -INF, 0.0, NAN, 2.0])
    fam.add("sort_nan_asc", "sort", {"x": sn}, list(torch.sort(sn, stable=True)), dim=-1, descending=False, stable=True)
    fam.add("sort_nan_desc", "sort", {"x": sn}, list(torch.sort(sn, descending=True, stable=True)), dim=-1,
            descending=True, stable=True)
    for name, t in (("f32", x), ("f64", x64)):
        for k, dim, largest in ((1, -1, True), (3, -1, True), (2, 1, False), (3, 0, True), (5, 2, False)):
            tag = f"{name}_k{k}_d{dim}_{'largest' if largest else 'smallest'}".replace("-", "m")
            fam.add(f"topk_{tag}", "topk", {"x": t}, list(torch.topk(t, k, dim, largest, True)),
                    k=k, dim=dim, largest=largest, sorted=True)
    xu = torch.randperm(24, generator=fam.gen).reshape(4, 6)
    fam.add("topk_i64", "topk", {"x": xu}, list(torch.topk(xu, 3, 1)), k=3, dim=1, largest=True, sorted=True)


def gen_linalg(fam):
    q = fam.quant
    # torch.matmul's cases: 1-D . 1-D, 2-D @ 2-D, 1-D @ 2-D (prepend), 2-D @ 1-D, batched, and
    # broadcast batch dims (including a 1-D operand against a batch).
    shapes = [("1d_1d", (5,), (5,)), ("2d_2d", (3, 5), (5, 4)), ("1d_2d", (5,), (5, 4)), ("2d_1d", (3, 5), (5,)),
              ("3d_3d", (2, 3, 5), (2, 5, 4)), ("3d_2d", (2, 3, 5), (5, 4)), ("2d_3d", (3, 5), (2, 5, 4)),
              ("1d_3d", (5,), (2, 5, 4)), ("3d_1d", (2, 3, 5), (5,)), ("4d_3d_bcast", (2, 1, 3, 5), (3, 5, 4)),
              ("4d_4d_bcast", (1, 2, 3, 5), (3, 1, 5, 2)), ("2d_2d_k1", (4, 1), (1, 3)), ("odd_sizes", (13, 21), (21, 9))]
    for tag, sa, sb in shapes:
        a, b = q(*sa), q(*sb)
        fam.add(f"matmul_{tag}", "matmul", {"a": a, "b": b}, torch.matmul(a, b))
    a, b = fam.randn(3, 5, dtype=f64), fam.randn(5, 4, dtype=f64)
    fam.add("matmul_f64", "matmul", {"a": a, "b": b}, torch.matmul(a, b))
    a, b = fam.randn(4, 6), fam.randn(6, 3)
    fam.add("matmul_f32_randn", "matmul", {"a": a, "b": b}, torch.matmul(a, b))
    ai, bi = fam.randint(-5, 6, 2, 3, 4), fam.randint(-5, 6, 4, 2)
    fam.add("matmul_i64", "matmul", {"a": ai, "b": bi}, torch.matmul(ai, bi))
    a, b = q(3, 5), q(5, 4)
    fam.add("matmul_noncontiguous", "matmul", {"a": NonContiguous(a), "b": NonContiguous(b)}, torch.matmul(a, b))
    a, b = q(4, 6), q(6, 3)
    fam.add("mm_f32", "mm", {"a": a, "b": b}, torch.mm(a, b))
    fam.add("mm_f64", "mm", {"a": a.double(), "b": b.double()}, torch.mm(a.double(), b.double()))
    fam.add("mm_noncontiguous", "mm", {"a": NonContiguous(a), "b": NonContiguous(b)}, torch.mm(a, b))
    a, b = q(3, 4, 6), q(3, 6, 2)
    fam.add("bmm_f32", "bmm", {"a": a, "b": b}, torch.bmm(a, b))
    fam.add("bmm_f64", "bmm", {"a": a.double(), "b": b.double()}, torch.bmm(a.double(), b.double()))
    a, b = q(4, 6), q(6, 3)
    for tag, bias in (("2d", q(4, 3)), ("row", q(3)), ("col", q(4, 1)), ("0d", q())):
        for beta, alpha in ((1, 1), (0.5, 2.0), (-1, 0.25)):
            fam.add(f"addmm_{tag}_b{beta}_a{alpha}", "addmm", {"bias": bias, "a": a, "b": b},
                    torch.addmm(bias, a, b, beta=beta, alpha=alpha), beta=beta, alpha=alpha)
    # beta = 0: the bias is ignored, NaN in it does not propagate (documented).
    bias_nan = torch.full((4, 3), NAN)
    fam.add("addmm_beta0_nan_bias", "addmm", {"bias": bias_nan, "a": a, "b": b},
            torch.addmm(bias_nan, a, b, beta=0), beta=0, alpha=1)
    bias64 = q(3, dtype=f64)
    fam.add("addmm_f64", "addmm", {"bias": bias64, "a": a.double(), "b": b.double()},
            torch.addmm(bias64, a.double(), b.double(), beta=0.5, alpha=1.5), beta=0.5, alpha=1.5)
    ai, bi, ci = fam.randint(-4, 5, 4, 6), fam.randint(-4, 5, 6, 3), fam.randint(-4, 5, 3)
    fam.add("addmm_i64", "addmm", {"bias": ci, "a": ai, "b": bi}, torch.addmm(ci, ai, bi, beta=2, alpha=3), beta=2, alpha=3)
    a, b = q(2, 3, 4), q(2, 4, 5)
    for tag, bias in (("3d", q(2, 3, 5)), ("bcast", q(3, 5)), ("row", q(5))):
        for beta, alpha in ((1, 1), (0.5, -2.0)):
            fam.add(f"baddbmm_{tag}_b{beta}_a{alpha}", "baddbmm", {"bias": bias, "a": a, "b": b},
                    torch.baddbmm(bias, a, b, beta=beta, alpha=alpha), beta=beta, alpha=alpha)
    for name, dt in (("f32", f32), ("f64", f64)):
        u, v = q(7, dtype=dt), q(5, dtype=dt)
        w = q(7, dtype=dt)
        fam.add(f"dot_{name}", "dot", {"a": u, "b": w}, torch.dot(u, w))
        fam.add(f"outer_{name}", "outer", {"a": u, "b": v}, torch.outer(u, v))
    ui, wi = fam.randint(-9, 10, 6), fam.randint(-9, 10, 6)
    fam.add("dot_i64", "dot", {"a": ui, "b": wi}, torch.dot(ui, wi))
    fam.add("outer_i64", "outer", {"a": ui, "b": wi[:4]}, torch.outer(ui, wi[:4]))
    u = fam.randn(33)
    w33 = fam.randn(33)
    fam.add("dot_f32_randn", "dot", {"a": u, "b": w33}, torch.dot(u, w33))
    # linear: x @ W^T + b for 1-D, 2-D and 3-D inputs.
    w, bias = q(4, 6), q(4)
    for tag, xs in (("1d", (6,)), ("2d", (3, 6)), ("3d", (2, 3, 6))):
        x = q(*xs)
        fam.add(f"linear_{tag}_bias", "linear", {"x": x, "weight": w, "bias": bias}, F.linear(x, w, bias))
        fam.add(f"linear_{tag}_nobias", "linear", {"x": x, "weight": w}, F.linear(x, w))
    x = fam.randn(5, 6, dtype=f64)
    fam.add("linear_f64", "linear", {"x": x, "weight": w.double(), "bias": bias.double()}, F.linear(x, w.double(), bias.double()))
    x = q(8, 37)  # wider than a SIMD register, not a multiple of one
    w2 = q(10, 37)
    b2 = q(10)
    fam.add("linear_wide", "linear", {"x": x, "weight": w2, "bias": b2}, F.linear(x, w2, b2))


def gen_shape(fam):
    q = fam.quant
    a, b, c = q(2, 3), q(2, 4), q(2, 1)
    fam.add("cat_d1", "cat", {"tensors": [a, b, c]}, torch.cat([a, b, c], 1), dim=1)
    d0 = [a, q(1, 3), q(3, 3)]
    fam.add("cat_d0", "cat", {"tensors": d0}, torch.cat(d0, 0), dim=0)
    d3 = [q(2, 3, 2), q(2, 3, 1)]
    fam.add("cat_dm1_3d", "cat", {"tensors": d3}, torch.cat(d3, -1), dim=-1)
    mixed = [fam.randint(-5, 5, 2, 2), q(2, 2), q(2, 2, dtype=f64)]
    fam.add("cat_promote_i64_f32_f64", "cat", {"tensors": mixed}, torch.cat(mixed), dim=0)
    mixed2 = [fam.randint(-5, 5, 2), q(3)]
    fam.add("cat_promote_i64_f32", "cat", {"tensors": mixed2}, torch.cat(mixed2), dim=0)
    ints = [fam.randint(0, 9, 3, dtype=i32), fam.randint(0, 9, 2)]
    fam.add("cat_promote_i32_i64", "cat", {"tensors": ints}, torch.cat(ints), dim=0)
    st = [q(2, 3), q(2, 3), q(2, 3)]
    for dim in (0, 1, 2, -1):
        fam.add(f"stack_d{dim}".replace("-", "m"), "stack", {"tensors": st}, torch.stack(st, dim), dim=dim)
    x = q(7, 4)
    fam.add("split_size3_d0", "split", {"x": x}, list(torch.split(x, 3, 0)), split_size=3, dim=0)
    fam.add("split_size3_d1", "split", {"x": x}, list(torch.split(x, 3, 1)), split_size=3, dim=1)
    fam.add("split_sizes_d0", "split_sizes", {"x": x}, list(torch.split(x, [2, 0, 5], 0)), split_sizes=[2, 0, 5], dim=0)
    for n, dim in ((3, 0), (2, 1), (4, 0), (5, 1)):
        fam.add(f"chunk_{n}_d{dim}", "chunk", {"x": x}, list(torch.chunk(x, n, dim)), chunks=n, dim=dim)
    y = q(2, 3)
    for reps in ((2, 1), (1, 3), (2, 2, 2), (1, 1)):
        fam.add(f"repeat_{'x'.join(map(str, reps))}", "repeat", {"x": y}, y.repeat(*reps), repeats=list(reps))
    yi = fam.randint(0, 9, 3)
    fam.add("repeat_1d_to_2d", "repeat", {"x": yi}, yi.repeat(2, 2), repeats=[2, 2])
    z = q(2, 3, 4)
    for dims in ([0], [2], [0, 2], [-1, 1]):
        fam.add(f"flip_{'_'.join(map(str, dims))}".replace("-", "m"), "flip", {"x": z}, torch.flip(z, dims), dims=dims)
    for shifts, dims in (([1], [0]), ([-2], [2]), ([5], [1]), ([1, -1], [0, 2]), ([3], []), ([-7], [])):
        tag = "_".join(map(str, shifts)) + "_d" + ("_".join(map(str, dims)) or "flat")
        fam.add(f"roll_{tag}".replace("-", "m"), "roll", {"x": z}, torch.roll(z, shifts, dims or None), shifts=shifts, dims=dims)
    m = q(4, 5)
    mb = q(2, 3, 4)
    for diag in (0, 1, -1, 3, -4):
        for op in ("tril", "triu"):
            fam.add(f"{op}_{diag}".replace("-", "m"), op, {"x": m}, getattr(torch, op)(m, diag), diagonal=diag)
    fam.add("tril_batched", "tril", {"x": mb}, torch.tril(mb, 1), diagonal=1)
    fam.add("triu_batched", "triu", {"x": mb}, torch.triu(mb, -1), diagonal=-1)
    for pads, val in (([1, 2], 0.0), ([1, 0, 2, 1], -1.5), ([0, 0, 0, 0, 1, 1], 3.0), ([-1, 1], 0.0), ([2, -2, 0, 1], 0.5)):
        tag = "_".join(map(str, pads)).replace("-", "m")
        fam.add(f"pad_{tag}", "pad", {"x": z}, F.pad(z, pads, value=val), pads=pads, value=val)
    zi = fam.randint(0, 9, 2, 3)
    fam.add("pad_i64", "pad", {"x": zi}, F.pad(zi, [1, 1], value=7), pads=[1, 1], value=7)

    x = q(4, 5)
    idx = torch.tensor([3, 0, 3, 1])
    fam.add("index_select_d0", "index_select", {"x": x, "index": idx}, torch.index_select(x, 0, idx), dim=0)
    fam.add("index_select_d1", "index_select", {"x": x, "index": idx}, torch.index_select(x, 1, idx), dim=1)
    fam.add("index_select_i32_index", "index_select", {"x": x, "index": idx.to(i32)}, torch.index_select(x, 1, idx.to(i32)), dim=1)
    gidx = fam.randint(0, 5, 4, 3)
    fam.add("gather_d1", "gather", {"x": x, "index": gidx}, torch.gather(x, 1, gidx), dim=1)
    gidx0 = fam.randint(0, 4, 2, 5)
    fam.add("gather_d0", "gather", {"x": x, "index": gidx0}, torch.gather(x, 0, gidx0), dim=0)
    # scatter: no duplicate targets (which one wins is unspecified); scatter_add/index_add may repeat.
    sidx = torch.stack([torch.randperm(5, generator=fam.gen)[:3] for _ in range(4)])
    src = q(4, 3)
    fam.add("scatter_src_d1", "scatter", {"x": x, "index": sidx, "src": src}, torch.scatter(x, 1, sidx, src), dim=1)
    fam.add("scatter_value_d1", "scatter_value", {"x": x, "index": sidx}, torch.scatter(x, 1, sidx, -2.5), dim=1, value=-2.5)
    sidx0 = torch.stack([torch.randperm(4, generator=fam.gen)[:2] for _ in range(5)], 1)
    src0 = q(2, 5)
    fam.add("scatter_src_d0", "scatter", {"x": x, "index": sidx0, "src": src0}, torch.scatter(x, 0, sidx0, src0), dim=0)
    big_src = q(4, 6)
    fam.add("scatter_src_larger_than_index", "scatter", {"x": x, "index": sidx, "src": big_src},
            torch.scatter(x, 1, sidx, big_src), dim=1)
    aidx = fam.randint(0, 5, 4, 6)
    fam.add("scatter_add_d1", "scatter_add", {"x": x, "index": aidx, "src": big_src}, torch.scatter_add(x, 1, aidx, big_src), dim=1)
    aidx0 = fam.randint(0, 4, 3, 5)
    src3 = q(3, 5)
    fam.add("scatter_add_d0", "scatter_add", {"x": x, "index": aidx0, "src": src3}, torch.scatter_add(x, 0, aidx0, src3), dim=0)
    xi = fam.randint(-5, 5, 4, 5)
    srci = fam.randint(-5, 5, 3, 5)
    fam.add("scatter_add_i64", "scatter_add", {"x": xi, "index": aidx0, "src": srci}, torch.scatter_add(xi, 0, aidx0, srci), dim=0)
    iidx = torch.tensor([1, 3, 1])
    srcr = q(3, 5)
    fam.add("index_add_d0", "index_add", {"x": x, "index": iidx, "source": srcr}, torch.index_add(x, 0, iidx, srcr), dim=0)
    fam.add("index_add_d0_alpha", "index_add", {"x": x, "index": iidx, "source": srcr},
            torch.index_add(x, 0, iidx, srcr, alpha=-0.5), dim=0, alpha=-0.5)
    srcc = q(4, 3)
    fam.add("index_add_d1", "index_add", {"x": x, "index": iidx, "source": srcc}, torch.index_add(x, 1, iidx, srcc), dim=1)
    mask = fam.randn(4, 5) > 0
    fam.add("masked_select", "masked_select", {"x": x, "mask": mask}, torch.masked_select(x, mask))
    rmask = fam.randn(5) > 0
    fam.add("masked_select_broadcast", "masked_select", {"x": x, "mask": rmask}, torch.masked_select(x, rmask))
    fam.add("masked_select_i64", "masked_select", {"x": xi, "mask": mask}, torch.masked_select(xi, mask))
    nz = torch.where(fam.randn(3, 4) > 0.3, fam.quant(3, 4), torch.zeros(()))
    fam.add("nonzero_2d", "nonzero", {"x": nz}, torch.nonzero(nz))
    nz3 = fam.randint(-1, 2, 2, 3, 2)
    fam.add("nonzero_3d_i64", "nonzero", {"x": nz3}, torch.nonzero(nz3))
    fam.add("nonzero_bool", "nonzero", {"x": mask}, torch.nonzero(mask))
    fam.add("nonzero_none", "nonzero", {"x": torch.zeros(3)}, torch.nonzero(torch.zeros(3)))
    cls = torch.tensor([0, 2, 1, 2, 4])
    fam.add("one_hot_auto", "one_hot", {"indices": cls}, F.one_hot(cls), num_classes=-1)
    fam.add("one_hot_6", "one_hot", {"indices": cls}, F.one_hot(cls, 6), num_classes=6)
    cls2 = fam.randint(0, 3, 2, 3)
    fam.add("one_hot_2d", "one_hot", {"indices": cls2}, F.one_hot(cls2, 3), num_classes=3)

    # Advanced indexing. Index items: {"tensor": input name}, {"slice": [start, stop, step]},
    # {"int": i}, {"none": true}, {"ellipsis": true}.
    x3 = q(4, 3, 5)

    def index_case(name, x, items, tensors):
        py = []
        for it in items:
            if "tensor" in it:
                py.append(tensors[it["tensor"]])
            elif "slice" in it:
                py.append(slice(*it["slice"]))
            elif "int" in it:
                py.append(it["int"])
            elif "none" in it:
                py.append(None)
            else:
                py.append(Ellipsis)
        fam.add(name, "index", {"x": x, **tensors}, x[tuple(py)], indices=items)

    S = {"slice": [None, None, None]}
    index_case("index_list_rows", x3, [{"tensor": "i0"}], {"i0": torch.tensor([0, 2])})
    index_case("index_cols", x3, [S, {"tensor": "i0"}], {"i0": torch.tensor([2, 0, 2, 1])})
    index_case("index_mask", x3, [{"tensor": "m"}], {"m": torch.tensor([True, False, True, True])})
    index_case("index_mask_2d", x3, [{"tensor": "m"}], {"m": fam.randn(4, 3) > 0})
    index_case("index_mask_full", x3, [{"tensor": "m"}], {"m": fam.randn(4, 3, 5) > 0})
    index_case("index_separated_tensors", x3, [{"tensor": "i0"}, S, {"tensor": "i1"}],
               {"i0": torch.tensor([0, 3, 1]), "i1": torch.tensor([4, 0, 2])})
    index_case("index_adjacent_tensors", x3, [S, {"tensor": "i0"}, {"tensor": "i1"}],
               {"i0": torch.tensor([[0], [2]]), "i1": torch.tensor([1, 4, 0])})
    index_case("index_2d_index", x3, [{"tensor": "i0"}], {"i0": torch.tensor([[0, 1], [3, 3]])})
    index_case("index_negative", x3, [{"tensor": "i0"}], {"i0": torch.tensor([-1, 0, -4])})
    index_case("index_slice_then_tensor", x3, [{"slice": [1, None, 2]}, {"tensor": "i0"}], {"i0": torch.tensor([2, 2])})
    index_case("index_int_tensor", x3, [{"int": 1}, S, {"tensor": "i0"}], {"i0": torch.tensor([4, 3])})
    index_case("index_ellipsis_tensor", x3, [{"ellipsis": True}, {"tensor": "i0"}], {"i0": torch.tensor([0, 4, 4])})
    index_case("index_none_tensor", x3, [{"none": True}, {"tensor": "i0"}], {"i0": torch.tensor([1, 3])})
    index_case("index_basic_only", x3, [{"int": -1}, {"slice": [None, 2, None]}, {"none": True}, {"slice": [1, 5, 2]}], {})


def gen_nn(fam):
    q = fam.quant
    x = fam.randn(2, 3, 4, scale=3.0)
    xs = x.clone()
    xs[0, 1, :] = torch.tensor([-INF, 0.0, -INF, 1.0])
    xs[1, 0, 1] = 1000.0
    for dim in (0, 1, 2, -1):
        for op, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
            tag = f"{dim}".replace("-", "m")
            fam.add(f"{op}_d{tag}", op, {"x": x}, fn(x, dim), dim=dim)
            fam.add(f"{op}_f64_d{tag}", op, {"x": x.double()}, fn(x.double(), dim), dim=dim)
    wide = fam.randn(2, 100)  # rows longer than a vector register, not a multiple of one
    for op, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        fam.add(f"{op}_inf_and_large", op, {"x": xs}, fn(xs, -1), dim=-1)
        allinf = torch.tensor([[-INF, -INF], [0.0, -INF]])
        fam.add(f"{op}_all_neg_inf_row", op, {"x": allinf}, fn(allinf, -1), dim=-1)
        fam.add(f"{op}_noncontiguous", op, {"x": NonContiguous(x[0])}, fn(x[0], -1), dim=-1)
        fam.add(f"{op}_wide_row", op, {"x": wide}, fn(wide, 1), dim=1)

    def conv(op, fn, inp, w, bias, stride, padding, dilation, groups, name):
        ins = {"input": inp, "weight": w}
        if bias is not None:
            ins["bias"] = bias
        out = fn(unwrap(inp), unwrap(w), None if bias is None else unwrap(bias), stride, padding, dilation, groups)
        fam.add(name, op, ins, out, stride=stride, padding=padding, dilation=dilation, groups=groups)

    # conv1d
    for tag, (n, cin, l, cout, k, s, p, d, g, bias) in {
        "basic": (2, 3, 10, 4, 3, 1, 0, 1, 1, True), "stride2_pad1": (2, 3, 10, 4, 3, 2, 1, 1, 1, True),
        "dilation2": (1, 2, 11, 3, 3, 1, 2, 2, 1, False), "groups": (2, 4, 9, 6, 2, 1, 1, 1, 2, True),
        "depthwise": (1, 3, 8, 3, 3, 1, 1, 1, 3, False), "k1": (2, 5, 6, 2, 1, 1, 0, 1, 1, True),
    }.items():
        conv("conv1d", F.conv1d, q(n, cin, l), q(cout, cin // g, k), q(cout) if bias else None, [s], [p], [d], g, f"conv1d_{tag}")
    inp64 = fam.randn(2, 3, 7, dtype=f64)
    conv("conv1d", F.conv1d, inp64, fam.randn(2, 3, 3, dtype=f64), fam.randn(2, dtype=f64), [1], [1], [1], 1, "conv1d_f64")
    # conv2d: stride, padding, dilation, groups, bias, non-square everything.
    for tag, (n, cin, h, w, cout, kh, kw, s, p, d, g, bias) in {
        "basic": (2, 3, 6, 6, 4, 3, 3, [1, 1], [0, 0], [1, 1], 1, True),
        "pad1": (2, 3, 6, 6, 4, 3, 3, [1, 1], [1, 1], [1, 1], 1, True),
        "stride2": (1, 2, 7, 7, 3, 3, 3, [2, 2], [1, 1], [1, 1], 1, True),
        "stride_2_1_pad_0_2": (1, 2, 7, 6, 3, 3, 2, [2, 1], [0, 2], [1, 1], 1, True),
        "dilation2": (1, 2, 9, 8, 2, 3, 3, [1, 1], [2, 2], [2, 2], 1, False),
        "dilation_2_3": (1, 2, 9, 10, 2, 2, 3, [1, 2], [1, 0], [2, 3], 1, True),
        "groups2": (2, 4, 5, 5, 6, 3, 3, [1, 1], [1, 1], [1, 1], 2, True),
        "depthwise": (1, 4, 6, 5, 4, 3, 3, [1, 1], [1, 1], [1, 1], 4, False),
        "depthwise_multiplier": (1, 2, 5, 5, 4, 3, 3, [2, 2], [1, 1], [1, 1], 2, True),
        "k1x1": (2, 5, 4, 3, 3, 1, 1, [1, 1], [0, 0], [1, 1], 1, True),
        "kernel_eq_input": (2, 2, 3, 3, 3, 3, 3, [1, 1], [0, 0], [1, 1], 1, False),
        "nobias": (1, 3, 5, 6, 2, 2, 3, [1, 1], [0, 1], [1, 1], 1, False),
    }.items():
        conv("conv2d", F.conv2d, q(n, cin, h, w), q(cout, cin // g, kh, kw), q(cout) if bias else None, s, p, d, g,
             f"conv2d_{tag}")
    conv("conv2d", F.conv2d, fam.randn(1, 2, 5, 5, dtype=f64), fam.randn(3, 2, 3, 3, dtype=f64), fam.randn(3, dtype=f64),
         [1, 1], [1, 1], [1, 1], 1, "conv2d_f64")
    conv("conv2d", F.conv2d, fam.randn(2, 3, 6, 6), fam.randn(4, 3, 3, 3), fam.randn(4), [1, 1], [1, 1], [1, 1], 1,
         "conv2d_randn")
    # The Fashion-MNIST CNN at batch 4: conv(1->16, 3x3, pad 1) -> relu -> maxpool 2 -> conv(16->32, 3x3, pad 1)
    # -> relu -> maxpool 2. Inputs are hash patterns (not stored); outputs are sampled (see the header).
    fm_x = Pattern([4, 1, 28, 28], 1)
    fm_w1, fm_b1 = Pattern([16, 1, 3, 3], 2), q(16)
    conv("conv2d", F.conv2d, fm_x, fm_w1, fm_b1, [1, 1], [1, 1], [1, 1], 1, "conv2d_fashion_mnist_conv1")
    fm_h = Pattern([4, 16, 28, 28], 3)
    fam.add("max_pool2d_fashion_mnist_pool1", "max_pool2d_with_indices", {"input": fm_h},
            list(F.max_pool2d(fm_h.tensor, 2, 2, return_indices=True)), kernel_size=[2, 2], stride=[2, 2], padding=[0, 0],
            dilation=[1, 1], ceil_mode=False)
    fm_h1 = Pattern([4, 16, 14, 14], 4)
    fm_w2, fm_b2 = Pattern([32, 16, 3, 3], 5), q(32)
    conv("conv2d", F.conv2d, fm_h1, fm_w2, fm_b2, [1, 1], [1, 1], [1, 1], 1, "conv2d_fashion_mnist_conv2")
    fm_h2 = Pattern([4, 32, 14, 14], 6)
    fam.add("max_pool2d_fashion_mnist_pool2", "max_pool2d", {"input": fm_h2},
            F.max_pool2d(fm_h2.tensor, 2), kernel_size=[2, 2], stride=[], padding=[0, 0], dilation=[1, 1], ceil_mode=False)

    # Pools. Ties are avoided for max_pool2d indices (randn inputs); ceil_mode windows that would start
    # in the right padding are dropped (PyTorch's rule).
    pin = fam.randn(2, 2, 7, 6)
    for tag, (k, s, p, d, ceil) in {
        "k2": ([2, 2], [], [0, 0], [1, 1], False), "k3s2": ([3, 3], [2, 2], [0, 0], [1, 1], False),
        "k3s2_ceil": ([3, 3], [2, 2], [0, 0], [1, 1], True), "k3s2p1": ([3, 3], [2, 2], [1, 1], [1, 1], False),
        "k2s2p1_ceil": ([2, 2], [2, 2], [1, 1], [1, 1], True), "k_2_3_s_1_2": ([2, 3], [1, 2], [1, 0], [1, 1], False),
        "dilation2": ([2, 2], [1, 1], [0, 0], [2, 2], False), "k3s3_ceil": ([3, 3], [3, 3], [0, 0], [1, 1], True),
    }.items():
        vals, idx = F.max_pool2d(pin, k, s or None, p, d, ceil_mode=ceil, return_indices=True)
        args = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
        if tag in ("k2", "k3s2_ceil", "k3s2p1"):  # the values-only entry point, on a few configs
            fam.add(f"max_pool2d_{tag}", "max_pool2d", {"input": pin}, vals, **args)
        fam.add(f"max_pool2d_with_indices_{tag}", "max_pool2d_with_indices", {"input": pin}, [vals, idx], **args)
    pinf = pin.clone()
    pinf[0, 0, 0, 0] = -INF
    pinf[1, 1, 2, 3] = NAN
    fam.add("max_pool2d_with_indices_special", "max_pool2d_with_indices", {"input": pinf},
            list(F.max_pool2d(pinf, 2, return_indices=True)), kernel_size=[2, 2], stride=[], padding=[0, 0],
            dilation=[1, 1], ceil_mode=False)
    fam.add("max_pool2d_f64", "max_pool2d", {"input": pin.double()}, F.max_pool2d(pin.double(), 3, 2, 1),
            kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], dilation=[1, 1], ceil_mode=False)
    apin = q(2, 2, 7, 6)
    for tag, (k, s, p, ceil, cip, div) in {
        "k2": ([2, 2], [], [0, 0], False, True, None), "k3s2": ([3, 3], [2, 2], [0, 0], False, True, None),
        "k3s2p1_incl": ([3, 3], [2, 2], [1, 1], False, True, None),
        "k3s2p1_excl": ([3, 3], [2, 2], [1, 1], False, False, None),
        "k3s2_ceil_incl": ([3, 3], [2, 2], [0, 0], True, True, None),
        "k3s2_ceil_excl": ([3, 3], [2, 2], [0, 0], True, False, None),
        "k3s2p1_ceil_incl": ([3, 3], [2, 2], [1, 1], True, True, None),
        "k3s2p1_ceil_excl": ([3, 3], [2, 2], [1, 1], True, False, None),
        "k_2_3_p_1_1": ([2, 3], [2, 1], [1, 1], False, True, None),
        "divisor_override": ([3, 3], [2, 2], [1, 1], False, True, 4),
    }.items():
        out = F.avg_pool2d(apin, k, s or None, p, ceil, cip, div)
        args = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip)
        if div is not None:
            args["divisor_override"] = div
        fam.add(f"avg_pool2d_{tag}", "avg_pool2d", {"input": apin}, out, **args)
    fam.add("avg_pool2d_f64", "avg_pool2d", {"input": pin.double()}, F.avg_pool2d(pin.double(), 2),
            kernel_size=[2, 2], stride=[], padding=[0, 0], ceil_mode=False, count_include_pad=True)
    for tag, (h, w, oh, ow) in {"7x5_to_3x2": (7, 5, 3, 2), "5x5_to_3x4": (5, 5, 3, 4), "6x6_to_2x3": (6, 6, 2, 3),
                               "4x4_to_1x1": (4, 4, 1, 1), "3x3_to_5x5": (3, 3, 5, 5), "10x7_to_4x3": (10, 7, 4, 3)}.items():
        t = fam.randn(2, 2, h, w)
        fam.add(f"adaptive_avg_pool2d_{tag}", "adaptive_avg_pool2d", {"input": t}, F.adaptive_avg_pool2d(t, [oh, ow]),
                output_size=[oh, ow])

    # batch_norm: training normalises by the biased batch variance and updates the running stats with
    # the unbiased one; eval uses the running stats. Outputs: y (, running_mean, running_var).
    for tag, shape in (("2d", (6, 3)), ("4d", (4, 3, 3, 2)), ("3d", (3, 3, 4))):
        inp = fam.randn(*shape, scale=2.0) + 0.5
        wt, bs = fam.randn(3), fam.randn(3)
        rm, rv = fam.randn(3) * 0.1, fam.rand(3, lo=0.5, hi=1.5)
        for momentum in (0.1, 0.3):
            rm2, rv2 = rm.clone(), rv.clone()
            y = F.batch_norm(inp, rm2, rv2, wt, bs, True, momentum, 1e-5)
            fam.add(f"batch_norm_train_{tag}_m{momentum}", "batch_norm",
                    {"input": inp, "weight": wt, "bias": bs, "running_mean": rm, "running_var": rv},
                    [y, rm2, rv2], training=True, momentum=momentum, eps=1e-5)
        y = F.batch_norm(inp, rm, rv, wt, bs, False, 0.1, 1e-3)
        fam.add(f"batch_norm_eval_{tag}", "batch_norm",
                {"input": inp, "weight": wt, "bias": bs, "running_mean": rm, "running_var": rv},
                [y, rm, rv], training=False, momentum=0.1, eps=1e-3)
        y = F.batch_norm(inp, None, None, None, None, True, 0.1, 1e-5)
        fam.add(f"batch_norm_train_no_stats_no_affine_{tag}", "batch_norm", {"input": inp}, y,
                training=True, momentum=0.1, eps=1e-5)
    inp = fam.randn(5, 2, 3, dtype=f64)
    rm, rv = torch.zeros(2, dtype=f64), torch.ones(2, dtype=f64)
    rm2, rv2 = rm.clone(), rv.clone()
    y = F.batch_norm(inp, rm2, rv2, None, None, True, 0.1, 1e-5)
    fam.add("batch_norm_train_f64", "batch_norm", {"input": inp, "running_mean": rm, "running_var": rv},
            [y, rm2, rv2], training=True, momentum=0.1, eps=1e-5)

    t = fam.randn(2, 3, 4, scale=2.0) + 1.0
    for tag, ns in (("last", [4]), ("last2", [3, 4]), ("all", [2, 3, 4])):
        wt, bs = fam.randn(*ns), fam.randn(*ns)
        fam.add(f"layer_norm_{tag}_affine", "layer_norm", {"input": t, "weight": wt, "bias": bs},
                F.layer_norm(t, ns, wt, bs, 1e-5), normalized_shape=ns, eps=1e-5)
        fam.add(f"layer_norm_{tag}_plain", "layer_norm", {"input": t}, F.layer_norm(t, ns, eps=1e-5),
                normalized_shape=ns, eps=1e-5)
    fam.add("layer_norm_weight_only_eps", "layer_norm", {"input": t, "weight": wt}, F.layer_norm(t, [2, 3, 4], wt, None, 0.1),
            normalized_shape=[2, 3, 4], eps=0.1)
    t64 = t.double()
    fam.add("layer_norm_f64", "layer_norm", {"input": t64}, F.layer_norm(t64, [4]), normalized_shape=[4], eps=1e-5)
    g_in = fam.randn(2, 6, 3, 2, scale=2.0) + 0.5
    for groups in (1, 2, 3, 6):
        wt, bs = fam.randn(6), fam.randn(6)
        fam.add(f"group_norm_{groups}_affine", "group_norm", {"input": g_in, "weight": wt, "bias": bs},
                F.group_norm(g_in, groups, wt, bs, 1e-5), num_groups=groups, eps=1e-5)
    fam.add("group_norm_2_plain_3d", "group_norm", {"input": g_in[:, :, :, 0]},
            F.group_norm(g_in[:, :, :, 0], 2, eps=1e-3), num_groups=2, eps=1e-3)
    fam.add("group_norm_f64", "group_norm", {"input": g_in.double()}, F.group_norm(g_in.double(), 3), num_groups=3, eps=1e-5)

    ew = fam.randn(10, 4)
    for tag, idx in (("1d", torch.tensor([3, 0, 9, 3])), ("2d", fam.randint(0, 10, 2, 3))):
        fam.add(f"embedding_{tag}", "embedding", {"weight": ew, "indices": idx}, F.embedding(idx, ew))
    idx = torch.tensor([0, 2, 0, 5])
    fam.add("embedding_padding_idx", "embedding", {"weight": ew, "indices": idx}, F.embedding(idx, ew, padding_idx=0),
            padding_idx=0)
    fam.add("embedding_f64", "embedding", {"weight": ew.double(), "indices": idx}, F.embedding(idx, ew.double()))


def gen_loss(fam):
    reductions = ("none", "mean", "sum")
    n, c = 5, 4
    logits = fam.randn(n, c, scale=2.0)
    tgt = torch.tensor([0, 3, 1, 3, 2])
    tgt_ign = torch.tensor([0, -100, 1, 3, 2])
    tgt_ign2 = torch.tensor([0, 1, 1, 2, 1])
    weight = fam.rand(c, lo=0.2, hi=2.0)
    probs = F.softmax(fam.randn(n, c), 1)

    def ce(name, inputs, **kw):
        out = call(F.cross_entropy, inputs, **kw)
        fam.add(name, "cross_entropy", inputs, out, **kw)

    for red in reductions:
        ce(f"cross_entropy_{red}", {"input": logits, "target": tgt}, reduction=red)
        ce(f"cross_entropy_weight_{red}", {"input": logits, "target": tgt, "weight": weight}, reduction=red)
        ce(f"cross_entropy_ignore_default_{red}", {"input": logits, "target": tgt_ign}, reduction=red)
        ce(f"cross_entropy_ignore_1_weight_{red}", {"input": logits, "target": tgt_ign2, "weight": weight},
           ignore_index=1, reduction=red)
        ce(f"cross_entropy_smoothing_{red}", {"input": logits, "target": tgt}, label_smoothing=0.1, reduction=red)
        ce(f"cross_entropy_smoothing_weight_ignore_{red}", {"input": logits, "target": tgt_ign, "weight": weight},
           label_smoothing=0.2, reduction=red)
        ce(f"cross_entropy_probs_{red}", {"input": logits, "target": probs}, reduction=red)
        ce(f"cross_entropy_probs_weight_smoothing_{red}", {"input": logits, "target": probs, "weight": weight},
           label_smoothing=0.15, reduction=red)
    # K-dimensional: [N, C, d] logits with [N, d] targets.
    lk = fam.randn(2, c, 3)
    tk = torch.tensor([[0, 3, -100], [2, 1, 1]])
    for red in reductions:
        ce(f"cross_entropy_kdim_{red}", {"input": lk, "target": tk, "weight": weight}, reduction=red)
    ce("cross_entropy_kdim_probs_mean", {"input": lk, "target": F.softmax(fam.randn(2, c, 3), 1)}, reduction="mean")
    ce("cross_entropy_f64", {"input": logits.double(), "target": tgt}, reduction="mean")
    ce("cross_entropy_unbatched", {"input": logits[0], "target": tgt[0]}, reduction="mean")
    big = torch.tensor([[1000.0, -1000.0, 0.0], [-50.0, 50.0, 20.0]])
    ce("cross_entropy_large_logits", {"input": big, "target": torch.tensor([1, 1])}, reduction="none")

    logp = F.log_softmax(logits, 1)
    for red in reductions:
        for tag, inputs, kw in (("", {"input": logp, "target": tgt}, {}),
                                ("weight_", {"input": logp, "target": tgt, "weight": weight}, {}),
                                ("ignore_", {"input": logp, "target": tgt_ign, "weight": weight}, {}),
                                ("ignore_2_", {"input": logp, "target": tgt}, {"ignore_index": 3})):
            out = call(F.nll_loss, inputs, reduction=red, **kw)
            fam.add(f"nll_loss_{tag}{red}", "nll_loss", {"log_probs" if k == "input" else k: v for k, v in inputs.items()},
                    out, reduction=red, **kw)
    all_ign = torch.tensor([-100, -100])
    fam.add("nll_loss_all_ignored_mean", "nll_loss", {"log_probs": logp[:2], "target": all_ign},
            F.nll_loss(logp[:2], all_ign), reduction="mean")

    a, b = fam.randn(3, 4, scale=2.0), fam.randn(3, 4, scale=2.0)
    bb = fam.randn(4, scale=2.0)
    for red in reductions:
        fam.add(f"mse_loss_{red}", "mse_loss", {"input": a, "target": b}, F.mse_loss(a, b, reduction=red), reduction=red)
        fam.add(f"l1_loss_{red}", "l1_loss", {"input": a, "target": b}, F.l1_loss(a, b, reduction=red), reduction=red)
        for beta in (1.0, 0.5, 0.0, 3.0):
            fam.add(f"smooth_l1_loss_beta{beta}_{red}", "smooth_l1_loss", {"input": a, "target": b},
                    F.smooth_l1_loss(a, b, reduction=red, beta=beta), reduction=red, beta=beta)
        for delta in (1.0, 0.5, 2.5):
            fam.add(f"huber_loss_delta{delta}_{red}", "huber_loss", {"input": a, "target": b},
                    F.huber_loss(a, b, reduction=red, delta=delta), reduction=red, delta=delta)
    fam.add("mse_loss_f64_mean", "mse_loss", {"input": a.double(), "target": b.double()},
            F.mse_loss(a.double(), b.double()), reduction="mean")

    p = fam.rand(3, 4, lo=0.02, hi=0.98)
    y = (fam.rand(3, 4) > 0.5).float()
    ysoft = fam.rand(3, 4)
    pedge = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5])  # log clamped at -100 (documented)
    yedge = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.5])
    bw = fam.rand(3, 4, lo=0.1, hi=2.0)
    bw_row = fam.rand(4, lo=0.1, hi=2.0)
    for red in reductions:
        fam.add(f"binary_cross_entropy_{red}", "binary_cross_entropy", {"input": p, "target": y},
                F.binary_cross_entropy(p, y, reduction=red), reduction=red)
        fam.add(f"binary_cross_entropy_soft_weight_{red}", "binary_cross_entropy", {"input": p, "target": ysoft, "weight": bw},
                F.binary_cross_entropy(p, ysoft, bw, reduction=red), reduction=red)
        fam.add(f"binary_cross_entropy_weight_bcast_{red}", "binary_cross_entropy", {"input": p, "target": y, "weight": bw_row},
                F.binary_cross_entropy(p, y, bw_row, reduction=red), reduction=red)
        fam.add(f"binary_cross_entropy_edges_{red}", "binary_cross_entropy", {"input": pedge, "target": yedge},
                F.binary_cross_entropy(pedge, yedge, reduction=red), reduction=red)
    z = fam.randn(3, 4, scale=3.0)
    zbig = torch.tensor([100.0, -100.0, 0.0, 30.0, -30.0])
    pw = fam.rand(4, lo=0.5, hi=3.0)
    for red in reductions:
        def bcel(name, inputs):
            fam.add(name, "binary_cross_entropy_with_logits", inputs,
                    call(F.binary_cross_entropy_with_logits, inputs, reduction=red), reduction=red)
        bcel(f"bce_with_logits_{red}", {"input": z, "target": ysoft})
        bcel(f"bce_with_logits_weight_{red}", {"input": z, "target": y, "weight": bw})
        bcel(f"bce_with_logits_pos_weight_{red}", {"input": z, "target": ysoft, "pos_weight": pw})
        bcel(f"bce_with_logits_weight_pos_weight_{red}", {"input": z, "target": y, "weight": bw_row, "pos_weight": pw})
        bcel(f"bce_with_logits_large_{red}", {"input": zbig, "target": yedge})
    fam.add("bce_with_logits_f64", "binary_cross_entropy_with_logits", {"input": z.double(), "target": ysoft.double()},
            F.binary_cross_entropy_with_logits(z.double(), ysoft.double()), reduction="mean")


def gen_attention(fam):
    def sdpa(name, inputs, **kw):
        out = call(F.scaled_dot_product_attention, inputs, **kw)
        args = {"is_causal": kw.get("is_causal", False)}
        if "scale" in kw:
            args["scale"] = kw["scale"]
        fam.add(name, "scaled_dot_product_attention", inputs, out, **args)

    b, h, l, s, e, ev = 2, 2, 4, 5, 8, 6
    qt, kt, vt = fam.randn(b, h, l, e), fam.randn(b, h, s, e), fam.randn(b, h, s, ev)
    sdpa("sdpa_no_mask", {"query": qt, "key": kt, "value": vt})
    sdpa("sdpa_scale", {"query": qt, "key": kt, "value": vt}, scale=0.5)
    # Boolean mask: true = attend; every query row keeps at least one key.
    bm = fam.randn(l, s) > 0
    bm[:, 0] = True
    sdpa("sdpa_bool_mask", {"query": qt, "key": kt, "value": vt, "attn_mask": bm})
    bm4 = fam.randn(b, 1, l, s) > 0
    bm4[..., 1] = True
    sdpa("sdpa_bool_mask_bcast_heads", {"query": qt, "key": kt, "value": vt, "attn_mask": bm4})
    am = fam.randn(l, s)
    am[0, 2] = -INF
    sdpa("sdpa_additive_mask", {"query": qt, "key": kt, "value": vt, "attn_mask": am})
    sdpa("sdpa_additive_mask_scale", {"query": qt, "key": kt, "value": vt, "attn_mask": fam.randn(b, h, l, s)}, scale=0.2)
    qs, ks, vs = fam.randn(b, h, l, e), fam.randn(b, h, l, e), fam.randn(b, h, l, ev)
    sdpa("sdpa_causal", {"query": qs, "key": ks, "value": vs}, is_causal=True)
    sdpa("sdpa_causal_scale", {"query": qs, "key": ks, "value": vs}, is_causal=True, scale=1.0)
    # L < S: the causal mask is the top-left aligned tril of ones(L, S).
    sdpa("sdpa_causal_rect", {"query": qt, "key": kt, "value": vt}, is_causal=True)
    q3, k3, v3 = fam.randn(3, l, e), fam.randn(3, s, e), fam.randn(3, s, ev)
    sdpa("sdpa_3d", {"query": q3, "key": k3, "value": v3})
    sdpa("sdpa_f64", {"query": qt.double(), "key": kt.double(), "value": vt.double()})
    sdpa("sdpa_f64_causal_mask_free", {"query": qs.double(), "key": ks.double(), "value": vs.double()}, is_causal=True)
    big = fam.randn(1, 1, 3, 4, scale=30.0)
    sdpa("sdpa_large_scores", {"query": big, "key": big, "value": fam.randn(1, 1, 3, 2)})


FAMILIES = {"unary": gen_unary, "binary": gen_binary, "reduce": gen_reduce, "linalg": gen_linalg,
            "shape": gen_shape, "nn": gen_nn, "loss": gen_loss, "attention": gen_attention}


def main(names):
    torch.set_num_threads(1)  # the same accumulation order on every machine
    for name in names or FAMILIES:
        if name not in FAMILIES:
            sys.exit(f"unknown family {name!r}; known: {', '.join(FAMILIES)}")
        fam = Family(name)
        FAMILIES[name](fam)
        fam.write()


if __name__ == "__main__":
    main(sys.argv[1:])
