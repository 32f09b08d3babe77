#pragma once
// Included last by the schedulers' .cpp files (internal to optim/): Python rounds every operation,
// and a contracted multiply-add (GCC's default with -march=native) would make values differ from
// PyTorch's in the last bit and move phase boundaries. Applies to the rest of the including file.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
