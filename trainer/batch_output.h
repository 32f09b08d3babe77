#pragma once
// BatchOutput: what calculate_train_batch_loss / calculate_eval_batch_loss return (the dict of the
// Python original, with its required keys as typed fields and the free-form rest as `extras`).
#include <cstdint>
#include <optional>

#include <accel/tensor/ordered_dict.h>
#include <accel/tensor/tensor.h>

namespace accel::trainer {

struct BatchOutput {
  // The loss to track and (in training) to back-propagate. In training the Trainer divides it by
  // the gradient accumulation steps before on_train_step_end, so callbacks see the scaled loss.
  Tensor loss;
  Tensor model_outputs;
  // The number of samples the loss averages over; it weights the epoch's mean loss.
  int64_t batch_size = 0;
  // Set by a loss that is normalised by a token count across the accumulation window (HF's
  // num_items_in_batch): in a distributed run with accumulation, the loss is then multiplied by
  // the number of processes, undoing the gradient averaging of data parallelism (§1.15).
  std::optional<int64_t> num_items_in_batch = std::nullopt;
  // Anything else a subclass wants callbacks to see (e.g. "logits", per-task losses).
  OrderedDict<Tensor> extras = {};
};

}  // namespace accel::trainer
