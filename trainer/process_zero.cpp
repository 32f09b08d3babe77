#include <accel/trainer/process_zero.h>

#include <accel/tensor/error.h>

namespace accel::trainer {

void wait_for_everyone(const Accelerator& accelerator) {
  ACCEL_CHECK(!accelerator.is_distributed(), "wait_for_everyone: a run of ", accelerator.num_processes,
              " processes needs the distributed layer's process group, which accel does not have yet");
}

}  // namespace accel::trainer
