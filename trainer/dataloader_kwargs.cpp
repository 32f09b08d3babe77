#include <accel/trainer/dataloader_kwargs.h>

namespace accel::trainer {

data::DataLoaderOptions DataLoaderKwargs::apply_to(data::DataLoaderOptions defaults) const {
  data::DataLoaderOptions options = std::move(defaults);
  if (sampler) {
    options.sampler = sampler;
    options.shuffle = false;
  }
  if (batch_sampler) {
    options.batch_sampler = batch_sampler;
    options.batch_size = 1;
    options.shuffle = false;
    options.drop_last = false;
  }
  if (batch_size) options.batch_size = *batch_size;
  if (shuffle) options.shuffle = *shuffle;
  if (drop_last) options.drop_last = *drop_last;
  if (num_workers) options.num_workers = *num_workers;
  if (prefetch_factor) options.prefetch_factor = *prefetch_factor;
  if (pin_memory) options.pin_memory = *pin_memory;
  if (seed) options.seed = *seed;
  return options;
}

}  // namespace accel::trainer
