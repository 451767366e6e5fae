# Cross-compiling the CPU part for 64-bit Arm Linux with Debian's g++-aarch64-linux-gnu
# (scripts/check_aarch64 builds with it and runs the tests under qemu-aarch64). Libraries come
# from the Arm sysroot only (none of the host's x86 ones link); headers from both, so that the
# header-only dependencies (nlohmann-json, CLI11, Highway) and the CUDA toolkit's cuRAND headers,
# which the CPU's Philox reads, are found where Debian installs them.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
