#pragma once
// DataLoaderKwargs: the loader options a user passes to train()/evaluate(), each one overriding the
// Trainer's default only when set (the original's train_dataloader_kwargs dict):
//   trainer.train({..., .train_dataloader_kwargs = {.num_workers = 0, .drop_last = true}});
#include <cstdint>
#include <memory>
#include <optional>

#include <accel/data/dataloader.h>

namespace accel::trainer {

struct DataLoaderKwargs {
  std::optional<int64_t> batch_size = std::nullopt;  // overrides per_device_batch_size
  std::optional<bool> shuffle = std::nullopt;
  std::optional<bool> drop_last = std::nullopt;
  std::shared_ptr<data::Sampler> sampler = nullptr;             // replaces the default shuffling
  std::shared_ptr<data::BatchSampler> batch_sampler = nullptr;  // replaces batch_size, shuffle, drop_last
  std::optional<int64_t> num_workers = std::nullopt;
  std::optional<int64_t> prefetch_factor = std::nullopt;
  std::optional<bool> pin_memory = std::nullopt;
  std::optional<uint64_t> seed = std::nullopt;

  // `defaults` with every set field replaced. A sampler turns the default shuffling off (the
  // original pops "shuffle"); a batch_sampler also resets batch_size to 1 and drop_last to false,
  // as the DataLoader requires.
  data::DataLoaderOptions apply_to(data::DataLoaderOptions defaults) const;
};

}  // namespace accel::trainer
