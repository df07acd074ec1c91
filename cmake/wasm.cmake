# The WebAssembly build (Debian's Emscripten 3.1.6): the engine unchanged, plus
#  - mnist_sgd.js/.wasm: the Embind module for the page (an ES module factory, single-threaded, so that it
#    runs on any static host and inside a course page's iframe without special headers);
#  - mnist-sgd-cli.cjs: the same CLI as the native one, run by Node, to compare the two by diffing.
target_compile_options(mnist_sgd_engine PUBLIC -msimd128)
target_compile_options(mnist_sgd_data_source PRIVATE -msimd128)
# Everything is built -O3, bindings included: template code the two share (std::vector's, say) is linked
# once, from whichever object comes first, so a bindings file built for size would slow the engine down.
# scripts/build-wasm then minifies the JavaScript glue with terser.

add_executable(mnist_sgd_module cpp/wasm/bindings.cpp)
target_link_libraries(mnist_sgd_module PRIVATE mnist_sgd::data)
set_target_properties(mnist_sgd_module PROPERTIES OUTPUT_NAME mnist_sgd SUFFIX .js)
target_link_options(mnist_sgd_module PRIVATE
  --bind -Os -msimd128 -sMALLOC=emmalloc
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createMnistSgd
  -sENVIRONMENT=web,worker
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB
  -sFILESYSTEM=0 -sDYNAMIC_EXECUTION=0)
# 16 MB to start, grown as a sample is loaded: the page also runs a second instance, for its drawing
# pad's predictions, which needs a few MB.

set_target_properties(mnist-sgd PROPERTIES OUTPUT_NAME mnist-sgd-cli SUFFIX .cjs
  LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/node-environment.js)
target_link_options(mnist-sgd PRIVATE
  -O3 -msimd128 -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1
  --pre-js ${CMAKE_CURRENT_SOURCE_DIR}/cmake/node-environment.js
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=128MB)
