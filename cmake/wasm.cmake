# The WebAssembly build (Debian's Emscripten 3.1.6): the engine unchanged, plus
#  - mnist_sgd.js/.wasm: the Embind module for the page (an ES module factory, single-threaded, so that it
#    runs on any static host and inside a course page's iframe without special headers);
#  - mnist-sgd-cli.cjs: the same CLI as the native one, run by Node, to compare the two by diffing.
target_compile_options(mnist_sgd_engine PUBLIC -msimd128)
target_compile_options(mnist_sgd_data_source PRIVATE -msimd128)
# Size matters on the web (the page's module is held under 150 KB): everything is built for size but the
# training kernel, whose loops are where the time goes.
set_source_files_properties(cpp/engine/archive.cpp cpp/engine/mnist_sample.cpp cpp/engine/linear_model.cpp
  cpp/engine/trainer.cpp cpp/engine/digit_image.cpp cpp/engine/random.cpp cpp/engine/portable_math.cpp cpp/wasm/bindings.cpp
  PROPERTIES COMPILE_OPTIONS -Oz)

add_executable(mnist_sgd_module cpp/wasm/bindings.cpp)
target_link_libraries(mnist_sgd_module PRIVATE mnist_sgd::engine)
set_target_properties(mnist_sgd_module PROPERTIES OUTPUT_NAME mnist_sgd SUFFIX .js)
target_link_options(mnist_sgd_module PRIVATE
  --bind -Os -msimd128 -sMALLOC=emmalloc
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createMnistSgd
  -sENVIRONMENT=web,worker
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=128MB
  -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0)

set_target_properties(mnist-sgd PROPERTIES OUTPUT_NAME mnist-sgd-cli SUFFIX .cjs)
target_link_options(mnist-sgd PRIVATE
  -O3 -msimd128 -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=128MB)
