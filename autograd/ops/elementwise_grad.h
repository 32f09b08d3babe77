#pragma once
// Gradient recording of the elementwise ops (internal to the op front end). Each record_* runs
// after the forward kernel and does nothing unless an input requires grad in grad mode.
#include <accel/tensor/backend.h>
#include <accel/tensor/tensor.h>

namespace accel::autograd {

void record_unary(UnaryOp op, const Tensor& out, const Tensor& x, UnaryParams params);
void record_binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha);
// Where: x is the condition (no gradient); Lerp: x, y, z = start, end, weight.
void record_ternary(TernaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& z, Scalar value);
// clamp with tensor bounds; an undefined bound is absent.
void record_clamp(const Tensor& out, const Tensor& x, const Tensor& min, const Tensor& max);

// In-place variants, called after the kernel and bump_version(). Some formulas need self's value
// before the op: when *_needs_original() says so, pass a clone() of self taken before the kernel
// (with grad mode on, so that double backward reaches self's old history), else an empty tensor.
bool unary_needs_original(UnaryOp op, const Tensor& self);
void record_unary_(UnaryOp op, const Tensor& self, const Tensor& original, UnaryParams params);
bool binary_needs_original(BinaryOp op, const Tensor& self, const Tensor& other);
void record_binary_(BinaryOp op, const Tensor& self, const Tensor& original, const Tensor& other, Scalar alpha);
bool ternary_needs_original(TernaryOp op, const Tensor& self, const Tensor& z);
void record_ternary_(TernaryOp op, const Tensor& self, const Tensor& original, const Tensor& y, const Tensor& z,
                     Scalar value);
void record_masked_fill_(const Tensor& self, const Tensor& mask);

}  // namespace accel::autograd
