#pragma once
// The optim layer: optimizers and learning-rate schedulers.
#include <accel/optim/adagrad.h>
#include <accel/optim/adam.h>
#include <accel/optim/adamw.h>
#include <accel/optim/cosine_lr_scheduler.h>
#include <accel/optim/lr_schedulers.h>
#include <accel/optim/one_cycle_lr.h>
#include <accel/optim/optimizer.h>
#include <accel/optim/rmsprop.h>
#include <accel/optim/scheduler.h>
#include <accel/optim/scheduler_base.h>
#include <accel/optim/sequential_lr.h>
#include <accel/optim/sgd.h>
#include <accel/optim/wsd_lr_scheduler.h>
