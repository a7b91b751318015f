# All third-party dependencies, found once, with clear errors.
find_package(PkgConfig REQUIRED)

find_package(MPI 3.0 REQUIRED COMPONENTS C)
# C++ code uses the C API; keep the deprecated C++ bindings out of every translation unit.
set_property(TARGET MPI::MPI_C APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)

# --- HDF5: must be the parallel (MPI-IO) build ------------------------------
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 1.10 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "tsweep needs a parallel HDF5 (MPI-IO), but the HDF5 found (${HDF5_C_INCLUDE_DIRS}) is serial. "
    "On Debian install libhdf5-openmpi-dev (scripts/install-deps.sh does), or point HDF5_ROOT / "
    "HDF5_C_COMPILER_EXECUTABLE (h5pcc) at a parallel build.")
endif()
add_library(tsweep_hdf5 INTERFACE)
target_include_directories(tsweep_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS})
target_compile_definitions(tsweep_hdf5 INTERFACE ${HDF5_C_DEFINITIONS})
target_link_libraries(tsweep_hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)

# --- Kokkos: a site install (Kokkos_ROOT) or the one install-deps.sh built ---
find_package(Kokkos 3.4 CONFIG
  HINTS "${PROJECT_SOURCE_DIR}/.deps/kokkos" $ENV{TSWEEP_DEPS_PREFIX}/kokkos)
if(NOT Kokkos_FOUND)
  message(FATAL_ERROR
    "Kokkos (>= 3.4, with the OpenMP or Threads backend) was not found. Run scripts/install-deps.sh, "
    "which builds one into .deps/kokkos, or pass -DKokkos_ROOT=/path/to/kokkos.")
endif()
if(NOT ("OPENMP" IN_LIST Kokkos_DEVICES OR "THREADS" IN_LIST Kokkos_DEVICES))
  if(TSWEEP_ALLOW_SERIAL_KOKKOS)
    message(WARNING "Kokkos at ${Kokkos_DIR} has no host-parallel backend (devices: ${Kokkos_DEVICES}); "
                    "tsweep will run one thread per rank (TSWEEP_ALLOW_SERIAL_KOKKOS=ON).")
  else()
    message(FATAL_ERROR
      "Kokkos at ${Kokkos_DIR} has no host-parallel backend (devices: ${Kokkos_DEVICES}). "
      "Debian's libtrilinos-kokkos-dev is Serial-only: run scripts/install-deps.sh to build one with "
      "OpenMP, pass -DKokkos_ROOT=... for a site Kokkos, or -DTSWEEP_ALLOW_SERIAL_KOKKOS=ON to accept it.")
  endif()
endif()
message(STATUS "Kokkos ${Kokkos_VERSION} at ${Kokkos_DIR}, devices: ${Kokkos_DEVICES}")

find_package(spdlog 1.9 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(yaml-cpp 0.7 REQUIRED CONFIG)
find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(zstd REQUIRED CONFIG)
# Header-only: exact big-integer rounding in the rare cases 128 bits do not hold.
find_package(Boost 1.74 REQUIRED)
if(TARGET zstd::libzstd_shared)
  set(TSWEEP_ZSTD zstd::libzstd_shared)
else()
  set(TSWEEP_ZSTD zstd::libzstd_static)
endif()
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc>=2.0)
pkg_check_modules(MSEED REQUIRED IMPORTED_TARGET mseed>=2.19)
# Welch spectra (the spectrum analysis).
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
pkg_check_modules(LZ4 IMPORTED_TARGET liblz4)
# libFLAC: the linear-prediction + Rice anchor in bench_codec (optional).
pkg_check_modules(FLAC IMPORTED_TARGET flac)

# EDFlib ships a header and a static library, no pkg-config file.
find_path(EDFLIB_INCLUDE_DIR edflib.h)
find_library(EDFLIB_LIBRARY NAMES edf)
if(NOT EDFLIB_INCLUDE_DIR OR NOT EDFLIB_LIBRARY)
  message(FATAL_ERROR "EDFlib (edflib.h, libedf) not found: install libedf-dev (scripts/install-deps.sh does).")
endif()
add_library(tsweep_edflib INTERFACE)
target_include_directories(tsweep_edflib SYSTEM INTERFACE ${EDFLIB_INCLUDE_DIR})
target_link_libraries(tsweep_edflib INTERFACE ${EDFLIB_LIBRARY})

if(TSWEEP_BUILD_TESTS)
  find_package(GTest REQUIRED CONFIG)
endif()
if(TSWEEP_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED CONFIG)
endif()

# Git revision, for `tsweep --version`.
find_package(Git QUIET)
set(TSWEEP_GIT_REVISION "unknown")
if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                  OUTPUT_VARIABLE TSWEEP_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
  if(NOT TSWEEP_GIT_REVISION)
    set(TSWEEP_GIT_REVISION "unknown")
  endif()
endif()

# A Kokkos outside the system paths (built by scripts/install-deps.sh, or a
# site's own): the installed binary keeps finding its libraries.
get_filename_component(_tsweep_kokkos_lib "${Kokkos_DIR}/../.." ABSOLUTE)
list(APPEND CMAKE_INSTALL_RPATH "${_tsweep_kokkos_lib}")
