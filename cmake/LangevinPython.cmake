# LANGEVIN_BUILD_PYTHON: the nanobind module of python/. Unset, it follows whether the Python
# interpreter CMake finds (Python_EXECUTABLE) can import nanobind; a pip build always builds it.
set(langevin_python_default OFF)
if(SKBUILD OR NOT DEFINED CACHE{LANGEVIN_BUILD_PYTHON} OR LANGEVIN_BUILD_PYTHON)
  find_package(Python 3.9 COMPONENTS Interpreter Development.Module QUIET)
  if(Python_FOUND)
    execute_process(COMMAND ${Python_EXECUTABLE} -m nanobind --cmake_dir
                    OUTPUT_VARIABLE langevin_nanobind_dir OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE langevin_nanobind_status ERROR_QUIET)
    if(langevin_nanobind_status EQUAL 0)
      set(langevin_python_default ON)
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
            "that can import nanobind: pip install nanobind, or point -DPython_EXECUTABLE at one")
  endif()
  list(APPEND CMAKE_PREFIX_PATH ${langevin_nanobind_dir})
  find_package(nanobind CONFIG REQUIRED)
  message(STATUS "Python package: ${Python_EXECUTABLE} (Python ${Python_VERSION}), nanobind in "
                 "${langevin_nanobind_dir}")
else()
  message(STATUS "Python package: not built (no Python with nanobind; scripts/bootstrap makes one)")
endif()
