# LANGEVIN_BUILD_PYTHON: the nanobind module of python/. Unset, it follows whether the Python
# interpreter CMake finds (Python_EXECUTABLE) can import nanobind; a pip build always builds it.
set(langevin_python_default OFF)
if(SKBUILD OR NOT DEFINED CACHE{LANGEVIN_BUILD_PYTHON} OR LANGEVIN_BUILD_PYTHON)
  find_package(Python 3.9 COMPONENTS Interpreter Development.Module QUIET)
  if(Python_FOUND)
    # nanobind 2.10.1 or newer: its array_api framework tag gives GPU results __dlpack__.
    execute_process(COMMAND ${Python_EXECUTABLE} -c
                            "import nanobind; print(nanobind.__version__); print(nanobind.cmake_dir())"
                    OUTPUT_VARIABLE langevin_nanobind OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE langevin_nanobind_status ERROR_QUIET)
    if(langevin_nanobind_status EQUAL 0)
      string(REPLACE "\n" ";" langevin_nanobind "${langevin_nanobind}")
      list(GET langevin_nanobind 0 langevin_nanobind_version)
      list(GET langevin_nanobind 1 langevin_nanobind_dir)
      if(langevin_nanobind_version VERSION_GREATER_EQUAL 2.10.1)
        set(langevin_python_default ON)
      else()
        message(STATUS "Python package: nanobind ${langevin_nanobind_version} in "
                       "${Python_EXECUTABLE} is older than 2.10.1")
      endif()
    endif()
  endif()
endif()
option(LANGEVIN_BUILD_PYTHON "Build the Python package's module (needs Python with nanobind)"
       ${langevin_python_default})
if(SKBUILD)
  set(LANGEVIN_BUILD_PYTHON ON)
endif()
if(LANGEVIN_BUILD_PYTHON)
  if(NOT langevin_python_default)
    message(FATAL_ERROR "LANGEVIN_BUILD_PYTHON=ON needs a Python (found: ${Python_EXECUTABLE}) "
            "that can import nanobind 2.10.1 or newer: pip install nanobind, or point "
            "-DPython_EXECUTABLE at one")
  endif()
  list(APPEND CMAKE_PREFIX_PATH ${langevin_nanobind_dir})
  find_package(nanobind CONFIG REQUIRED)
  message(STATUS "Python package: ${Python_EXECUTABLE} (Python ${Python_VERSION}), nanobind in "
                 "${langevin_nanobind_dir}")
else()
  message(STATUS "Python package: not built (no Python with nanobind; scripts/bootstrap makes one)")
endif()
