// Before a loop that WebAssembly should keep a loop (clang unrolls and vectorises at -O3): for loops
// outside the hot paths, or walked a few times, whose copies would take the module over its size budget.
#pragma once

#if defined(__clang__)
#define MNIST_SGD_KEEP_LOOP _Pragma("clang loop unroll(disable) vectorize(disable)")
#else
#define MNIST_SGD_KEEP_LOOP
#endif
