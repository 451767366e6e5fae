# The CPU backend's instruction sets (docs/DEVELOPING.md, "The CPU's instruction sets"). The
# library compiles for a baseline every supported CPU has (x86-64-v3 on x86: AVX2 and FMA, which
# the lane vectors' fused multiply-adds need; Armv8 on Arm) and its lanes code (the blocks of
# chains: host/cpu/lanes.hpp) once per instruction set in LANGEVIN_CPU_TARGETS; at run time the
# widest one the CPU has runs (LANGEVIN_CPU_SIMD caps it). LANGEVIN_NATIVE builds everything for
# the build machine alone (-march=native), one copy of the lanes.
#
# Sets LANGEVIN_CPU_FLAGS (the library's flags), LANGEVIN_CPU_TARGETS and, for each target T,
# LANGEVIN_CPU_FLAGS_<T>; writes LANGEVIN_GENERATED_DIR/cpu_targets.hpp.

# Arithmetic stays as written on both sides: the device/ math spells out its fused multiply-adds,
# and neither compiler fuses any other product and sum (GCC by default would not, nvcc would),
# so the CPU and GPU backends round alike. -fno-trapping-math (Clang's default, not GCC's): no
# code here unmasks or reads the floating-point exception flags, and without it GCC will not
# turn a float select (the device math's range ends, exp.hpp) into a blend, since a comparison
# may raise a flag, so every loop over the device math stays scalar; the training's elementwise
# passes then took twice as long (docs/PERFORMANCE.md). It changes no result.
set(langevin_arithmetic_flags -ffp-contract=off -fno-trapping-math)
set(LANGEVIN_CPU_FLAGS ${langevin_arithmetic_flags})
if(LANGEVIN_NATIVE)
  list(APPEND LANGEVIN_CPU_FLAGS -march=native)
  set(LANGEVIN_CPU_TARGETS native)
  set(LANGEVIN_CPU_FLAGS_native ${LANGEVIN_CPU_FLAGS})
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  list(APPEND LANGEVIN_CPU_FLAGS -march=x86-64-v3)
  set(LANGEVIN_CPU_TARGETS avx2 avx512 CACHE STRING
      "The lanes code's instruction sets (avx2, avx512), narrowest first")
  set(LANGEVIN_CPU_FLAGS_avx2 ${langevin_arithmetic_flags} -march=x86-64-v3)
  # GCC's generic tuning would keep the loops it vectorises itself at 256 bits.
  set(LANGEVIN_CPU_FLAGS_avx512 ${langevin_arithmetic_flags} -march=x86-64-v4
      -mprefer-vector-width=512)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(LANGEVIN_CPU_TARGETS neon)
  set(LANGEVIN_CPU_FLAGS_neon ${LANGEVIN_CPU_FLAGS})
else()
  message(FATAL_ERROR "The CPU backend's lane vectors need x86-64 (AVX2 and FMA) or Armv8 "
                      "(CMAKE_SYSTEM_PROCESSOR is ${CMAKE_SYSTEM_PROCESSOR})")
endif()
foreach(target IN LISTS LANGEVIN_CPU_TARGETS)
  if(NOT DEFINED LANGEVIN_CPU_FLAGS_${target})
    message(FATAL_ERROR "LANGEVIN_CPU_TARGETS: '${target}' is not an instruction set of this "
                        "architecture's build (x86: avx2, avx512; Arm: neon)")
  endif()
  string(APPEND for_each " X(${target})")
endforeach()
file(CONFIGURE OUTPUT ${LANGEVIN_GENERATED_DIR}/cpu_targets.hpp CONTENT
"#pragma once
// The CPU backend's copies of the lanes code (cmake/LangevinCpuTargets.cmake), narrowest first.
#define LANGEVIN_FOR_EACH_CPU_TARGET(X)${for_each}
")
list(LENGTH LANGEVIN_CPU_TARGETS count)
message(STATUS "CPU backend: the library for ${LANGEVIN_CPU_FLAGS}; its lanes for "
               "${LANGEVIN_CPU_TARGETS}")

# langevin_cpu_lanes(SOURCES … OUT var): compiles the lanes sources once per target, each copy
# with its table (host/cpu/lanes_table.cpp), and sets var to what the libraries link: the
# objects of the only copy, or, with several, one object per copy in which everything but its
# table is local. Without that, an inline function or template compiled for AVX-512 in one copy
# and for AVX2 in another is one symbol, and the linker keeps one of the two for both (the
# AVX-512 one would stop an AVX2 CPU with SIGILL). A relocatable link that dissolves the COMDAT
# groups, then objcopy keeping one global symbol, makes each copy self-contained.
set(LANGEVIN_CPU_LANES_EXTRA_FLAGS "" CACHE STRING
    "Extra compile flags for the lanes copies alone (scripts/check_sanitizers: -O2)")
function(langevin_cpu_lanes)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT"
                        "SOURCES;INCLUDE_DIRECTORIES;SYSTEM_INCLUDE_DIRECTORIES;LINK")
  set(outputs "")
  list(LENGTH LANGEVIN_CPU_TARGETS count)
  foreach(target IN LISTS LANGEVIN_CPU_TARGETS)
    set(objects langevin_cpu_lanes_${target}_objects)
    add_library(${objects} OBJECT ${arg_SOURCES} ${PROJECT_SOURCE_DIR}/host/cpu/lanes_table.cpp)
    set_target_properties(${objects} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    target_compile_options(${objects} PRIVATE ${LANGEVIN_CPU_FLAGS_${target}} -Wall -Wextra
                                              ${LANGEVIN_CPU_LANES_EXTRA_FLAGS})
    target_compile_definitions(${objects} PRIVATE
      LANGEVIN_LANES_TABLE=langevin_cpu_lanes_${target})
    target_include_directories(${objects} PRIVATE ${arg_INCLUDE_DIRECTORIES})
    target_include_directories(${objects} SYSTEM PRIVATE ${arg_SYSTEM_INCLUDE_DIRECTORIES})
    target_link_libraries(${objects} PRIVATE ${arg_LINK})
    if(count EQUAL 1)
      list(APPEND outputs $<TARGET_OBJECTS:${objects}>)
      continue()
    endif()
    # GCC gives the statics of inline functions "unique" binding, which objcopy leaves global.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${objects} PRIVATE -fno-gnu-unique)
    endif()
    set(joined ${CMAKE_CURRENT_BINARY_DIR}/cpu_lanes_${target}_joined.o)
    set(local ${CMAKE_CURRENT_BINARY_DIR}/cpu_lanes_${target}.o)
    add_custom_command(OUTPUT ${local}
      COMMAND ${CMAKE_LINKER} -r --force-group-allocation -o ${joined}
              $<TARGET_OBJECTS:${objects}>
      COMMAND ${CMAKE_OBJCOPY} --keep-global-symbol=langevin_cpu_lanes_${target} ${joined}
              ${local}
      COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DOBJECT=${local}
              -DKEEP=langevin_cpu_lanes_${target}
              -P ${PROJECT_SOURCE_DIR}/cmake/LangevinCheckLanesObject.cmake
      DEPENDS ${objects} $<TARGET_OBJECTS:${objects}>
      COMMAND_EXPAND_LISTS
      COMMENT "Making the ${target} copy of the CPU lanes self-contained")
    list(APPEND outputs ${local})
  endforeach()
  set(${arg_OUT} ${outputs} PARENT_SCOPE)
endfunction()
