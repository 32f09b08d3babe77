#pragma once
// The nn layer: modules, layers, containers, init, utils and nn::functional.
#include <accel/nn/activation.h>
#include <accel/nn/attention.h>
#include <accel/nn/container.h>
#include <accel/nn/conv.h>
#include <accel/nn/dropout.h>
#include <accel/nn/embedding.h>
#include <accel/nn/flatten.h>
#include <accel/nn/functional.h>
#include <accel/nn/init.h>
#include <accel/nn/linear.h>
#include <accel/nn/loss.h>
#include <accel/nn/module.h>
#include <accel/nn/normalization.h>
#include <accel/nn/pooling.h>
#include <accel/nn/transformer.h>
#include <accel/nn/utils.h>
