# Finds what the project builds on. Debian packages first; on machines without them (the lent GPU
# machines have no package registry) fall back to copies under LANGEVIN_DEPS_DIR, which
# benchmarks/gpu_check.sh documents how to fill.

find_package(CUDAToolkit REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)

find_package(nlohmann_json 3.9 CONFIG QUIET)
if(NOT nlohmann_json_FOUND)
  if(NOT EXISTS ${LANGEVIN_DEPS_DIR}/include/nlohmann/json.hpp)
    message(FATAL_ERROR "nlohmann-json not found: install nlohmann-json3-dev "
                        "or copy its headers to ${LANGEVIN_DEPS_DIR}/include/nlohmann")
  endif()
  add_library(nlohmann_json INTERFACE)
  target_include_directories(nlohmann_json SYSTEM INTERFACE ${LANGEVIN_DEPS_DIR}/include)
  add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
  message(STATUS "nlohmann-json: using the copy in ${LANGEVIN_DEPS_DIR}")
endif()

find_package(CLI11 2.1 CONFIG QUIET)
if(NOT CLI11_FOUND)
  if(NOT EXISTS ${LANGEVIN_DEPS_DIR}/include/CLI/CLI.hpp)
    message(FATAL_ERROR "CLI11 not found: install libcli11-dev "
                        "or copy its headers to ${LANGEVIN_DEPS_DIR}/include/CLI")
  endif()
  add_library(CLI11 INTERFACE)
  target_include_directories(CLI11 SYSTEM INTERFACE ${LANGEVIN_DEPS_DIR}/include)
  add_library(CLI11::CLI11 ALIAS CLI11)
  message(STATUS "CLI11: using the copy in ${LANGEVIN_DEPS_DIR}")
endif()

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
