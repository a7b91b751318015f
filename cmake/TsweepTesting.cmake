# Test registration helpers.
include(GoogleTest)

# Flags every mpiexec call in the test suite needs: more ranks than cores,
# threads free to use every core, and root in containers and CI.
set(TSWEEP_MPIEXEC_ROOT_FLAGS "")
execute_process(COMMAND id -u OUTPUT_VARIABLE _tsweep_uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(_tsweep_uid STREQUAL "0")
  set(TSWEEP_MPIEXEC_ROOT_FLAGS --allow-run-as-root)
endif()
set(TSWEEP_MPIEXEC_FLAGS --oversubscribe --bind-to none ${TSWEEP_MPIEXEC_ROOT_FLAGS})
set(TSWEEP_TEST_RANKS 1 2 4 CACHE STRING "Rank counts every MPI test runs at")
set(TSWEEP_TEST_THREADS 1 2 CACHE STRING "Threads per rank every MPI test runs at")

# tsweep_add_unit_test(<name> SOURCES ... [LIBS ...])
# A GoogleTest binary without MPI; each TEST becomes its own CTest test.
function(tsweep_add_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main tsweep_warnings tsweep_contracts)
  target_compile_definitions(${name} PRIVATE TSWEEP_SHARED_DATA="${TSWEEP_SHARED_DATA}"
                                             TSWEEP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()

# tsweep_add_mpi_test(<name> SOURCES ... [LIBS ...] [RANKS ...] [THREADS ...] [TIMEOUT s])
# A GoogleTest binary run under mpiexec at every RANKS x THREADS combination,
# registered as <name>.np<R>.t<T>. tests/mpi/mpi_main.cpp initialises MPI and
# Kokkos with T threads (TSWEEP_TEST_THREADS) and fails if any rank fails.
function(tsweep_add_mpi_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;RANKS;THREADS" ${ARGN})
  if(NOT T_RANKS)
    set(T_RANKS ${TSWEEP_TEST_RANKS})
  endif()
  if(NOT T_THREADS)
    set(T_THREADS ${TSWEEP_TEST_THREADS})
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/mpi/mpi_main.cpp)
  target_link_libraries(${name} PRIVATE ${T_LIBS} tsweep::exec GTest::gtest tsweep_warnings tsweep_contracts)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/mpi)
  target_compile_definitions(${name} PRIVATE TSWEEP_SHARED_DATA="${TSWEEP_SHARED_DATA}"
                                             TSWEEP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  foreach(np IN LISTS T_RANKS)
    foreach(nt IN LISTS T_THREADS)
      math(EXPR procs "${np} * ${nt}")
      add_test(NAME ${name}.np${np}.t${nt}
               COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${TSWEEP_MPIEXEC_FLAGS}
                       $<TARGET_FILE:${name}>)
      set_tests_properties(${name}.np${np}.t${nt} PROPERTIES
        ENVIRONMENT "TSWEEP_TEST_THREADS=${nt}" PROCESSORS ${procs} LABELS mpi TIMEOUT ${T_TIMEOUT})
    endforeach()
  endforeach()
endfunction()

# tsweep_add_script_test(<name> COMMAND ... [LABELS ...] [TIMEOUT s])
# An end-to-end test: a script driving the tsweep CLI. It gets TSWEEP (the
# binary), TSWEEP_MPIEXEC (mpiexec with the suite's flags), TSWEEP_MPIEXEC_BARE
# (mpiexec with the launcher's own binding, for placement tests), TSWEEP_SHARED_DATA
# and PYTHON (Debian's python3 with h5py) in its environment. Exit 77 = skipped.
function(tsweep_add_script_test name)
  cmake_parse_arguments(T "" "TIMEOUT;PROCESSORS" "COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT T_PROCESSORS)
    set(T_PROCESSORS 1)
  endif()
  string(JOIN " " mpiexec_line ${MPIEXEC_EXECUTABLE} ${TSWEEP_MPIEXEC_FLAGS})
  string(JOIN " " mpiexec_bare ${MPIEXEC_EXECUTABLE} ${TSWEEP_MPIEXEC_ROOT_FLAGS})
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "TSWEEP=$<TARGET_FILE:tsweep>;TSWEEP_MPIEXEC=${mpiexec_line};TSWEEP_MPIEXEC_BARE=${mpiexec_bare};TSWEEP_SHARED_DATA=${TSWEEP_SHARED_DATA};PYTHON=/usr/bin/python3;TSWEEP_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    LABELS "e2e;${T_LABELS}" TIMEOUT ${T_TIMEOUT} SKIP_RETURN_CODE 77 PROCESSORS ${T_PROCESSORS})
endfunction()
