#include <accel/autograd/ops/op_utils.h>

#include <accel/autograd/meta.h>

namespace accel::ops {

Device common_device(const char* op, std::initializer_list<const Tensor*> tensors) {
  const auto is_number = [](const Tensor* t) { return t->dim() == 0 && t->is_cpu(); };
  Device device = (*tensors.begin())->device();
  for (const Tensor* t : tensors)
    if (!is_number(t)) {
      device = t->device();
      break;
    }
  for (const Tensor* t : tensors)
    ACCEL_CHECK(t->device() == device || is_number(t), op, ": expected all tensors on the same device, got ",
                device, " and ", t->device());
  return device;
}

Tensor scalar_tensor(Scalar s, DType dtype, Device device) {
  Tensor t = empty({}, {.dtype = dtype});
  ACCEL_DISPATCH(dtype, "scalar_tensor", [&]<typename T>() { *t.data_ptr<T>() = s.to<T>(); });
  return device.is_cpu() ? t : t.to(device);
}

void check_writable(const Tensor& self, const char* op) {
  autograd::check_inplace(self, op);
  for (int64_t d = 0; d < self.dim(); ++d)
    ACCEL_CHECK(self.stride(d) != 0 || self.size(d) <= 1, op,
                ": cannot write in place to a tensor where several elements share memory (an expanded tensor, shape ",
                self.sizes(), ")");
}

void check_can_cast(DType from, DType to, const char* op) {
  ACCEL_CHECK(!(is_floating_point(from) && !is_floating_point(to)) && !(from != kBool && to == kBool), op,
              ": result type ", name(from), " can't be cast to the desired output type ", name(to));
}

uint64_t dims_mask(const Tensor& x, IntArrayRef dims, const char* op) {
  ACCEL_CHECK(x.dim() <= 64, op, ": tensors of more than 64 dims are not supported");
  if (dims.empty()) return x.dim() == 0 ? 0 : (x.dim() == 64 ? ~uint64_t{0} : (uint64_t{1} << x.dim()) - 1);
  uint64_t mask = 0;
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, x.dim(), op);
    if (x.dim() == 0) continue;
    ACCEL_CHECK(!(mask >> w & 1), op, ": dim ", w, " appears multiple times in the list of dims");
    mask |= uint64_t{1} << w;
  }
  return mask;
}

}  // namespace accel::ops
