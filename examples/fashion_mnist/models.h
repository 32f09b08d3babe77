#pragma once
// The two Fashion-MNIST models of the main job. Both take [N, 1, 28, 28] images and return [N, 10] logits.
#include <memory>

#include <accel/accel.h>

namespace fashion_mnist {

using accel::Tensor;
namespace nn = accel::nn;

// The seed's MLP: 784-128-64-10 with ReLU.
struct MLP : nn::Module {
  MLP() {
    fc1 = register_module("fc1", nn::Linear(784, 128));
    fc2 = register_module("fc2", nn::Linear(128, 64));
    fc3 = register_module("fc3", nn::Linear(64, 10));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = accel::relu((*fc1)(x.flatten(1)));
    h = accel::relu((*fc2)(h));
    return (*fc3)(h);
  }
  std::shared_ptr<nn::Linear> fc1, fc2, fc3;
};

// Two convolution blocks (3x3 convolution, batch norm, ReLU, 2x2 max pooling: 28 -> 14 -> 7) and a
// two-layer classifier with dropout.
struct CNN : nn::Module {
  CNN() {
    features = register_module(
        "features", nn::Sequential(nn::Conv2d(1, 32, 3, {.padding = 1}), nn::BatchNorm2d(32), nn::ReLU(),
                                   nn::MaxPool2d(2), nn::Conv2d(32, 64, 3, {.padding = 1}), nn::BatchNorm2d(64),
                                   nn::ReLU(), nn::MaxPool2d(2)));
    classifier = register_module("classifier", nn::Sequential(nn::Flatten(), nn::Linear(64 * 7 * 7, 128), nn::ReLU(),
                                                              nn::Dropout({.p = 0.25}), nn::Linear(128, 10)));
  }
  Tensor forward(const Tensor& x) override { return (*classifier)((*features)(x)); }
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace fashion_mnist
