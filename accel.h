#pragma once
// The whole public API of accel.
#include <accel/autograd/autograd.h>
#include <accel/kernels/cpu/parallel.h>
#include <accel/kernels/cuda/cuda.h>
#include <accel/nn/nn.h>
#include <accel/tensor/allocator.h>
#include <accel/tensor/device.h>
#include <accel/tensor/dtype.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/indexing.h>
#include <accel/tensor/ops.h>
#include <accel/tensor/random.h>
#include <accel/tensor/scalar.h>
#include <accel/tensor/tensor.h>
