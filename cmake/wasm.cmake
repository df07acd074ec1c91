# The WebAssembly build (Debian's Emscripten 3.1.6): the engine unchanged, plus
#  - mnist_sgd.js/.wasm: the Embind module for the page (an ES module factory, single-threaded, so that it
#    runs on any static host and inside a course page's iframe without special headers);
#  - mnist-sgd-cli.cjs: the same CLI as the native one, run by Node, to compare the two by diffing.
#  With MNIST_SGD_WASM_SIMD=OFF (the wasm-scalar preset), the same module without WebAssembly SIMD, named
#  mnist_sgd_scalar.js/.wasm, for the browsers that lack it (Safari before 16.4; engine.js picks one). The
#  engine's vector types then lower to the same operations lane by lane, in the same order: the same bits.
option(MNIST_SGD_WASM_SIMD "Build with WebAssembly SIMD (-msimd128)" ON)
set(simd_flags "")
set(module_name mnist_sgd_scalar)
if(MNIST_SGD_WASM_SIMD)
  set(simd_flags -msimd128)
  set(module_name mnist_sgd)
endif()
target_compile_options(mnist_sgd_engine PUBLIC ${simd_flags})
target_compile_options(mnist_sgd_data_source PRIVATE ${simd_flags})
# Everything is built -O3, bindings included: template code the two share (std::vector's, say) is linked
# once, from whichever object comes first, so a bindings file built for size would slow the engine down.
# scripts/build-wasm then minifies the JavaScript glue with terser.
# PyTorch's random numbers are drawn once per run, not per image: built for size, they keep the module in its
# budget (-O3 unrolls normal_fill's 8 lanes of log and sincos: 14 KB more). The bits do not depend on it: no
# fast-math, no contraction. Parameter files are read and written when a learner asks, not per step: built
# for size, params_text.cpp takes 0.9 KB less.
set_source_files_properties(cpp/common/torch_random.cpp cpp/book/params_text.cpp PROPERTIES COMPILE_OPTIONS -Os)

add_executable(mnist_sgd_module cpp/wasm/bindings.cpp)
target_link_libraries(mnist_sgd_module PRIVATE mnist_sgd::data)
set_target_properties(mnist_sgd_module PROPERTIES OUTPUT_NAME ${module_name} SUFFIX .js)
target_link_options(mnist_sgd_module PRIVATE
  --bind -Os ${simd_flags} -sMALLOC=emmalloc
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createMnistSgd
  -sENVIRONMENT=web,worker
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB
  -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0)
# 16 MB to start, grown as a sample is loaded: the page also runs a second instance, for its drawing
# pad's predictions, which needs a few MB.

set_target_properties(mnist-sgd PROPERTIES OUTPUT_NAME mnist-sgd-cli SUFFIX .cjs
  LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/node-environment.js)
target_link_options(mnist-sgd PRIVATE
  -O3 ${simd_flags} -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1
  --pre-js ${CMAKE_CURRENT_SOURCE_DIR}/cmake/node-environment.js
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=128MB)

# tests/torch_random_test.cpp as a Node program, run by tests/wasm/torch_random.test.mjs: the WebAssembly build
# must draw PyTorch's bits as the native one does. Only Catch2's one header is copied into the build tree: its
# package's include folder is /usr/include, whose C library headers would shadow Emscripten's.
find_path(MNIST_SGD_CATCH2_DIR catch2/catch.hpp PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH REQUIRED)
file(COPY ${MNIST_SGD_CATCH2_DIR}/catch2/catch.hpp DESTINATION ${CMAKE_CURRENT_BINARY_DIR}/catch2-only/catch2)
add_executable(torch_random_test tests/main.cpp tests/torch_random_test.cpp)
target_include_directories(torch_random_test SYSTEM PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/catch2-only)
target_link_libraries(torch_random_test PRIVATE mnist_sgd::engine)
target_compile_definitions(torch_random_test PRIVATE
  MNIST_SGD_REFERENCES="${CMAKE_CURRENT_SOURCE_DIR}/tests/reference")
set_target_properties(torch_random_test PROPERTIES SUFFIX .cjs)
target_link_options(torch_random_test PRIVATE
  -O3 -msimd128 -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1)
# The book's spec (cpp/book/linear.cpp, simple_net.cpp) runs in the module only for a traced step's
# gradient, once per Step batch: built for size, it takes 6.5 KB less (mnist_sgd.wasm, measured before the torch seeds: 141.7 -> 135.2 KB).
set_source_files_properties(cpp/book/linear.cpp cpp/book/simple_net.cpp TARGET_DIRECTORY mnist_sgd_engine
  PROPERTIES COMPILE_OPTIONS -Os)
