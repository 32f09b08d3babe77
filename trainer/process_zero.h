#pragma once
// Run a function on one process of a distributed run (pytorch-accelerated's decorators):
//   local_process_zero_only(f)   only local rank 0 runs f, then every process waits for the others;
//                                the others get no result (std::nullopt)
//   world_process_zero_only(f)   the same for global rank 0
//   local_process_zero_first(f)  local rank 0 runs f first (e.g. downloads a data set), then the
//                                others run it; every process gets its own result
// Each returns a callable taking f's arguments. With one process they are transparent: the
// callable returns f's result (wrapped in std::optional for the *_only forms, nothing for void f).
//
//   auto download = accel::trainer::local_process_zero_first([] { return load_dataset("data/"); });
//   auto dataset = download();
// The ranks come from the launcher's environment (Accelerator::from_environment()).
#include <optional>
#include <type_traits>
#include <utility>

#include <accel/trainer/accelerator.h>

namespace accel::trainer {

// Blocks until every process of the run gets here. With one process it returns at once; several
// processes need the distributed layer (not built yet), so that is an accel::Error rather than a hang.
void wait_for_everyone(const Accelerator& accelerator);

namespace detail {
template <bool world, typename F>
auto process_zero_only(F f) {
  return [f = std::move(f)](auto&&... args) {
    using Result = std::invoke_result_t<const F&, decltype(args)...>;
    const Accelerator accelerator = Accelerator::from_environment();
    const bool is_zero = world ? accelerator.is_main_process() : accelerator.is_local_main_process();
    if constexpr (std::is_void_v<Result>) {
      if (is_zero) f(std::forward<decltype(args)>(args)...);
      wait_for_everyone(accelerator);
    } else {
      std::optional<Result> result;
      if (is_zero) result.emplace(f(std::forward<decltype(args)>(args)...));
      wait_for_everyone(accelerator);
      return result;
    }
  };
}
}  // namespace detail

template <typename F>
auto local_process_zero_only(F f) {
  return detail::process_zero_only</*world=*/false>(std::move(f));
}

template <typename F>
auto world_process_zero_only(F f) {
  return detail::process_zero_only</*world=*/true>(std::move(f));
}

template <typename F>
auto local_process_zero_first(F f) {
  return [f = std::move(f)](auto&&... args) {
    using Result = std::invoke_result_t<const F&, decltype(args)...>;
    const Accelerator accelerator = Accelerator::from_environment();
    // Everyone else waits for local rank 0 to finish, then runs; rank 0 then waits for them.
    if (!accelerator.is_local_main_process()) wait_for_everyone(accelerator);
    if constexpr (std::is_void_v<Result>) {
      f(std::forward<decltype(args)>(args)...);
      if (accelerator.is_local_main_process()) wait_for_everyone(accelerator);
    } else {
      Result result = f(std::forward<decltype(args)>(args)...);
      if (accelerator.is_local_main_process()) wait_for_everyone(accelerator);
      return result;
    }
  };
}

}  // namespace accel::trainer
