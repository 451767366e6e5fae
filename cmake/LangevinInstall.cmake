# `cmake --install`: headers (with the Fortran module's source), both libraries, the `langevin`
# tool, a CMake package (find_package(Langevin) -> Langevin::langevin, Langevin::langevin_static,
# Langevin::fortran; with MPI, Langevin::langevin_mpi and Langevin::langevin_mpi_static) and
# pkg-config files (langevin.pc; with MPI, langevin-mpi.pc).

include(CMakePackageConfigHelpers)

set(LANGEVIN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Langevin)

install(TARGETS langevin langevin_static EXPORT LangevinTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS langevin_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(LANGEVIN_WITH_MPI)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/langevin DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
else()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/langevin DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          PATTERN mpi.hpp EXCLUDE PATTERN langevin_mpi.* EXCLUDE)
endif()
install(EXPORT LangevinTargets NAMESPACE Langevin:: DESTINATION ${LANGEVIN_CMAKE_DIR})
# The MPI layer's libraries in an export of their own, loaded by LangevinConfig.cmake where
# installed (find_package(Langevin COMPONENTS mpi) requires them).
if(LANGEVIN_WITH_MPI)
  install(TARGETS langevin_mpi langevin_mpi_static EXPORT LangevinMpiTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT LangevinMpiTargets NAMESPACE Langevin:: DESTINATION ${LANGEVIN_CMAKE_DIR})
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/LangevinConfig.cmake.in
  ${PROJECT_BINARY_DIR}/LangevinConfig.cmake
  INSTALL_DESTINATION ${LANGEVIN_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/LangevinConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/LangevinConfig.cmake
              ${PROJECT_BINARY_DIR}/LangevinConfigVersion.cmake
        DESTINATION ${LANGEVIN_CMAKE_DIR})

# pkg-config: the shared library by default; `pkg-config --static` adds what the static one
# needs on the link line (CUDA runtime and cuBLAS, CBLAS, OpenMP, the C++ runtime).
set(LANGEVIN_PC_PRIVATE_LIBS "")
if(LANGEVIN_WITH_CUDA)
  set(LANGEVIN_PC_PRIVATE_LIBS "-L${CUDAToolkit_LIBRARY_DIR} -lcublas -lcudart")
endif()
if(LANGEVIN_CBLAS_FOUND)
  get_filename_component(cblas_dir ${LANGEVIN_CBLAS_LIBRARY} DIRECTORY)
  string(APPEND LANGEVIN_PC_PRIVATE_LIBS " -L${cblas_dir} -lopenblas")
endif()
get_property(optional_link GLOBAL PROPERTY LANGEVIN_OPTIONAL_LINK)  # HDF5, libcrypto: paths
foreach(library IN LISTS optional_link)
  string(APPEND LANGEVIN_PC_PRIVATE_LIBS " ${library}")
endforeach()
string(APPEND LANGEVIN_PC_PRIVATE_LIBS " -lgomp -lstdc++ -lm")
# Relocatable: the prefix is found from where the .pc file lies (`cmake --install --prefix P`).
file(RELATIVE_PATH LANGEVIN_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" LANGEVIN_PC_TO_PREFIX "${LANGEVIN_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/langevin.pc.in ${PROJECT_BINARY_DIR}/langevin.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/langevin.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# langevin-mpi.pc: the MPI layer over langevin.pc, with the MPI library it was built against.
if(LANGEVIN_WITH_MPI)
  set(LANGEVIN_PC_MPI_CFLAGS "")
  foreach(directory IN LISTS MPI_CXX_INCLUDE_DIRS)
    string(APPEND LANGEVIN_PC_MPI_CFLAGS " -I${directory}")
  endforeach()
  foreach(definition IN LISTS MPI_CXX_COMPILE_DEFINITIONS)
    string(APPEND LANGEVIN_PC_MPI_CFLAGS " -D${definition}")
  endforeach()
  string(REPLACE ";" " " LANGEVIN_PC_MPI_LIBS "${MPI_CXX_LIBRARIES}")
  configure_file(${CMAKE_CURRENT_LIST_DIR}/langevin-mpi.pc.in ${PROJECT_BINARY_DIR}/langevin-mpi.pc
                 @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/langevin-mpi.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()
