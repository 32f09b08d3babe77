#pragma once
// Index expressions for Tensor::index / index_put_, as in libtorch:
//   using namespace accel::indexing;
//   t.index({Slice(1, None), None, 0, Ellipsis, idx_tensor, bool_mask})
#include <cstdint>
#include <optional>

#include <accel/tensor/tensor.h>

namespace accel {
namespace indexing {

struct NoneIndex {};
struct EllipsisIndex {};
inline constexpr NoneIndex None{};
inline constexpr EllipsisIndex Ellipsis{};

struct Slice {
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : start(start), stop(stop), step(step) {}
  Slice(std::optional<int64_t> start, NoneIndex, std::optional<int64_t> step = std::nullopt)
      : start(start), step(step) {}
  Slice(NoneIndex, std::optional<int64_t> stop = std::nullopt, std::optional<int64_t> step = std::nullopt)
      : stop(stop), step(step) {}
  Slice(NoneIndex, NoneIndex, std::optional<int64_t> step = std::nullopt) : step(step) {}
  std::optional<int64_t> start, stop, step;
};

}  // namespace indexing

class TensorIndex {
 public:
  enum class Kind { None, Ellipsis, Integer, Boolean, Slice, Tensor };

  TensorIndex(indexing::NoneIndex) : kind_(Kind::None) {}  // NOLINT
  TensorIndex(indexing::EllipsisIndex) : kind_(Kind::Ellipsis) {}  // NOLINT
  TensorIndex(int64_t i) : kind_(Kind::Integer), integer_(i) {}  // NOLINT
  TensorIndex(int i) : kind_(Kind::Integer), integer_(i) {}  // NOLINT
  TensorIndex(bool b) : kind_(Kind::Boolean), integer_(b) {}  // NOLINT
  TensorIndex(indexing::Slice s) : kind_(Kind::Slice), slice_(s) {}  // NOLINT
  TensorIndex(Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}  // NOLINT

  Kind kind() const { return kind_; }
  int64_t integer() const { return integer_; }
  bool boolean() const { return integer_ != 0; }
  const indexing::Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t integer_ = 0;
  indexing::Slice slice_;
  Tensor tensor_;
};

}  // namespace accel
