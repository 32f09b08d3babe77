# ctest's install_consumer: install this build into a scratch prefix, then configure, build and run
# tests/install/consumer against it, as a user of the installed package would.
# cmake -DBUILD_DIR=... -DCONSUMER_DIR=... -DCONFIG=... -DGENERATOR=... -DMAKE_PROGRAM=... -DCXX=...
#       [-DCXX_FLAGS=...] [-DLINKER_FLAGS=...] -P run.cmake
set(work ${BUILD_DIR}/install-test)
set(prefix ${work}/prefix)
if(NOT CONFIG)
  set(CONFIG Release)
endif()

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc COMMAND_ECHO STDOUT)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install_consumer: step failed (${rc})")
  endif()
endfunction()

file(REMOVE_RECURSE ${work})
step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG})
# Same generator, compiler and sanitizer flags as the build under test; only the scratch prefix
# may provide accel.
step(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${work}/build -G ${GENERATOR}
     -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
     -DCMAKE_CXX_COMPILER=${CXX}
     -DCMAKE_BUILD_TYPE=${CONFIG}
     "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
     "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
     -DCMAKE_PREFIX_PATH=${prefix}
     -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
     -DEXPECTED_PREFIX=${prefix})
step(${CMAKE_COMMAND} --build ${work}/build --config ${CONFIG})
step(${work}/build/consumer)
