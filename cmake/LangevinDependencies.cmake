# Finds what the project builds on. Debian packages first; on machines without them (the lent GPU
# machines have no package registry) fall back to copies under LANGEVIN_DEPS_DIR, which
# benchmarks/gpu_check.sh documents how to fill.

if(LANGEVIN_WITH_CUDA)
  find_package(CUDAToolkit REQUIRED)
else()
  # A CPU-only build reads the toolkit's headers and nothing else (cuRAND's Philox runs on the
  # host): where CMake's module finds no toolkit for the target (a cross-compile for Arm,
  # scripts/check_aarch64), the headers alone do.
  find_package(CUDAToolkit QUIET)
  if(NOT CUDAToolkit_FOUND)
    find_path(LANGEVIN_CUDA_HEADERS curand_kernel.h
              PATHS $ENV{CUDA_PATH}/include /usr/local/cuda/include)
    if(NOT LANGEVIN_CUDA_HEADERS)
      message(FATAL_ERROR "the CUDA toolkit's headers (curand_kernel.h) were not found: "
                          "install the toolkit or set CUDA_PATH")
    endif()
    set(CUDAToolkit_INCLUDE_DIRS ${LANGEVIN_CUDA_HEADERS})
    set(CUDAToolkit_VERSION "headers only, ${LANGEVIN_CUDA_HEADERS}")
    add_library(CUDA::toolkit INTERFACE IMPORTED)
    set_target_properties(CUDA::toolkit PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES ${LANGEVIN_CUDA_HEADERS})
  endif()
endif()
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
if(LANGEVIN_WITH_MPI)
  # The C API only: not the deprecated C++ bindings (libmpi_cxx).
  set(MPI_CXX_SKIP_MPICXX ON CACHE BOOL "" FORCE)
  find_package(MPI REQUIRED COMPONENTS CXX)
endif()

# CBLAS for training on the CPU: OpenBLAS. Debian's OpenMP build (libopenblas-openmp-dev) is
# preferred: it shares the OpenMP thread pool with the library's own loops, where the pthread
# build's threads would compete with OpenMP's spinning ones. Optional: without CBLAS, the CPU
# trainer uses a plain reference GEMM (slow; the GPU machines have no package registry).
set(openblas_openmp_lib /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
set(openblas_openmp_include /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
find_library(LANGEVIN_CBLAS_LIBRARY openblas PATHS ${openblas_openmp_lib} NO_DEFAULT_PATH)
find_path(LANGEVIN_CBLAS_INCLUDE_DIR cblas.h PATHS ${openblas_openmp_include} NO_DEFAULT_PATH)
if(NOT LANGEVIN_CBLAS_LIBRARY OR NOT LANGEVIN_CBLAS_INCLUDE_DIR)
  unset(LANGEVIN_CBLAS_LIBRARY CACHE)
  unset(LANGEVIN_CBLAS_INCLUDE_DIR CACHE)
  find_library(LANGEVIN_CBLAS_LIBRARY openblas)
  find_path(LANGEVIN_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
endif()
if(LANGEVIN_CBLAS_LIBRARY AND LANGEVIN_CBLAS_INCLUDE_DIR)
  set(LANGEVIN_CBLAS_FOUND TRUE)
  set(LANGEVIN_CBLAS_LIBRARIES ${LANGEVIN_CBLAS_LIBRARY})
  include_directories(SYSTEM ${LANGEVIN_CBLAS_INCLUDE_DIR})
  message(STATUS "CBLAS: ${LANGEVIN_CBLAS_LIBRARY}")
else()
  set(LANGEVIN_CBLAS_FOUND FALSE)
  message(STATUS "CBLAS: not found; CPU training uses the reference GEMM (install libopenblas-openmp-dev)")
endif()

# A header-only dependency: its CMake package, else its headers under LANGEVIN_DEPS_DIR/include.
function(langevin_header_only package version target header debian_package)
  find_package(${package} ${version} CONFIG QUIET)
  if(${package}_FOUND)
    return()
  endif()
  if(NOT EXISTS ${LANGEVIN_DEPS_DIR}/include/${header})
    message(FATAL_ERROR "${package} not found: install ${debian_package} "
                        "or copy its headers to ${LANGEVIN_DEPS_DIR}/include")
  endif()
  string(REPLACE "::" "_" local_target ${target})
  add_library(${local_target} INTERFACE)
  target_include_directories(${local_target} SYSTEM INTERFACE ${LANGEVIN_DEPS_DIR}/include)
  add_library(${target} ALIAS ${local_target})
  message(STATUS "${package}: using the copy in ${LANGEVIN_DEPS_DIR}")
endfunction()

langevin_header_only(nlohmann_json 3.9 nlohmann_json::nlohmann_json nlohmann/json.hpp
                     nlohmann-json3-dev)
langevin_header_only(CLI11 2.1 CLI11::CLI11 CLI/CLI.hpp libcli11-dev)

# Google Highway, for the CPU backend's lane vectors (host/cpu/lane_ops.hpp): its headers only,
# compiled for one instruction set at a time (static dispatch), so nothing links libhwy.
find_path(LANGEVIN_HWY_INCLUDE_DIR hwy/highway.h PATHS ${LANGEVIN_DEPS_DIR}/include)
if(NOT LANGEVIN_HWY_INCLUDE_DIR)
  message(FATAL_ERROR "Highway not found: install libhwy-dev "
                      "or copy its headers (hwy/) to ${LANGEVIN_DEPS_DIR}/include")
endif()
add_library(langevin_hwy INTERFACE)
target_include_directories(langevin_hwy SYSTEM INTERFACE ${LANGEVIN_HWY_INCLUDE_DIR})
message(STATUS "Highway: ${LANGEVIN_HWY_INCLUDE_DIR}/hwy")

if(LANGEVIN_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    if(NOT EXISTS ${LANGEVIN_DEPS_DIR}/googletest/CMakeLists.txt)
      message(FATAL_ERROR "GoogleTest not found: install libgtest-dev "
                          "or copy /usr/src/googletest to ${LANGEVIN_DEPS_DIR}/googletest")
    endif()
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
    add_subdirectory(${LANGEVIN_DEPS_DIR}/googletest ${CMAKE_BINARY_DIR}/_deps/googletest
                     EXCLUDE_FROM_ALL)
    if(NOT TARGET GTest::gtest)  # GoogleTest ≥ 1.11 defines these itself
      add_library(GTest::gtest ALIAS gtest)
      add_library(GTest::gtest_main ALIAS gtest_main)
    endif()
    message(STATUS "GoogleTest: building the copy in ${LANGEVIN_DEPS_DIR}")
  endif()
endif()

# Optional libraries, each used by a few sources of the library (host/CMakeLists.txt). The lent
# GPU machines may lack them and have no package registry, so the build goes on without them:
# .h5 files are then refused with a message saying so, and the SHA-256 of input files is
# recorded as unavailable.
#   LANGEVIN_<NAME>_FOUND         TRUE or FALSE
#   LANGEVIN_<NAME>_LINK          what to link: plain library paths
#   LANGEVIN_<NAME>_INCLUDE_DIRS  headers for the sources that use it
#   LANGEVIN_<NAME>_DEFINITIONS   its -D flags (HDF5 only; usually none)
#   LANGEVIN_<NAME>_VERSION       for `langevin info`
# Plain paths rather than imported targets: an installed static langevin lists them among its
# link dependencies, and a consumer then needs no find_package(HDF5) or find_package(OpenSSL).

# The compiler searches its own include directories already; naming one of them again
# (/usr/include, where OpenSSL's headers are) turns it into -isystem, which reorders the search
# and breaks the C++ headers' #include_next.
function(langevin_drop_implicit_include_dirs variable)
  set(dirs ${${variable}})
  list(REMOVE_ITEM dirs ${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES})
  set(${variable} ${dirs} PARENT_SCOPE)
endfunction()

# HDF5 (libhdf5-dev): FindHDF5 compiles a C test program against the h5cc wrapper.
enable_language(C)
find_package(HDF5 COMPONENTS C)
if(HDF5_FOUND)
  set(LANGEVIN_HDF5_FOUND TRUE)
  set(LANGEVIN_HDF5_LINK ${HDF5_C_LIBRARIES})
  set(LANGEVIN_HDF5_INCLUDE_DIRS ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
  set(LANGEVIN_HDF5_DEFINITIONS ${HDF5_C_DEFINITIONS} ${HDF5_DEFINITIONS})
  list(REMOVE_DUPLICATES LANGEVIN_HDF5_INCLUDE_DIRS)
  langevin_drop_implicit_include_dirs(LANGEVIN_HDF5_INCLUDE_DIRS)
  list(REMOVE_DUPLICATES LANGEVIN_HDF5_DEFINITIONS)
  set(LANGEVIN_HDF5_VERSION ${HDF5_VERSION})
  message(STATUS "HDF5: ${HDF5_VERSION}, .h5 files supported")
else()
  set(LANGEVIN_HDF5_FOUND FALSE)
  message(STATUS "HDF5: not found; .h5 files are refused (install libhdf5-dev)")
endif()

# OpenSSL's libcrypto (libssl-dev): the SHA-256 of input files recorded in .h5 outputs.
find_package(OpenSSL COMPONENTS Crypto)
if(OpenSSL_FOUND OR OPENSSL_FOUND)
  set(LANGEVIN_OPENSSL_FOUND TRUE)
  set(LANGEVIN_OPENSSL_LINK ${OPENSSL_CRYPTO_LIBRARY})
  set(LANGEVIN_OPENSSL_INCLUDE_DIRS ${OPENSSL_INCLUDE_DIR})
  langevin_drop_implicit_include_dirs(LANGEVIN_OPENSSL_INCLUDE_DIRS)
  set(LANGEVIN_OPENSSL_VERSION ${OPENSSL_VERSION})
  message(STATUS "OpenSSL: ${OPENSSL_VERSION}, SHA-256 of input files recorded")
else()
  set(LANGEVIN_OPENSSL_FOUND FALSE)
  message(STATUS "OpenSSL: not found; SHA-256 of input files unavailable (install libssl-dev)")
endif()
