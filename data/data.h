#pragma once
// The data layer: datasets, transforms, readers, samplers and the DataLoader.
#include <accel/data/cifar10.h>
#include <accel/data/csv.h>
#include <accel/data/dataloader.h>
#include <accel/data/dataset.h>
#include <accel/data/file_bytes.h>
#include <accel/data/mnist.h>
#include <accel/data/sample_random.h>
#include <accel/data/samplers.h>
#include <accel/data/transforms.h>
