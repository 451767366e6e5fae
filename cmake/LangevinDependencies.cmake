# Finds what the project builds on. Debian packages first; on machines without them (the lent GPU
# machines have no package registry) fall back to copies under LANGEVIN_DEPS_DIR, which
# benchmarks/gpu_check.sh documents how to fill.

find_package(CUDAToolkit REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)

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
