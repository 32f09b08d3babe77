#pragma once
// Every built-in callback (pytorch-accelerated's callbacks module, plus MetricsFileCallback).
#include <accel/trainer/callbacks/convert_sync_batchnorm.h>
#include <accel/trainer/callbacks/default_callbacks.h>
#include <accel/trainer/callbacks/early_stopping.h>
#include <accel/trainer/callbacks/limit_batches_callback.h>
#include <accel/trainer/callbacks/limit_eval_steps.h>
#include <accel/trainer/callbacks/log_metrics.h>
#include <accel/trainer/callbacks/metrics_file.h>
#include <accel/trainer/callbacks/model_ema_callback.h>
#include <accel/trainer/callbacks/move_modules_to_device.h>
#include <accel/trainer/callbacks/print_progress.h>
#include <accel/trainer/callbacks/progress_bar_callback.h>
#include <accel/trainer/callbacks/save_best_model.h>
#include <accel/trainer/callbacks/save_training_state.h>
#include <accel/trainer/callbacks/step_based_evaluation.h>
#include <accel/trainer/callbacks/terminate_on_nan.h>
#include <accel/trainer/callbacks/wsd_checkpoint.h>
