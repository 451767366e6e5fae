#pragma once
/// \file
/// Internal file helpers shared by the format readers and writers (not part of the public API).
///
/// Writing: write_file_atomically() writes to a temporary file next to the target and renames it
/// over the target only once every byte is on disk, so a reader (or a crash) never sees a
/// half-written output and a failed write leaves the target as it was.
///
/// Reading: InputFile opens a regular file, knows its size up front (so that readers can check
/// sizes claimed by a header before allocating) and reads exact byte counts, turning every
/// failure into an InvalidInput that names the file.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace langevin::detail {

/// Calls `write` with a FILE* open for binary writing on a temporary file in the directory of
/// `path`, then flushes, fsyncs and renames it to `path`. `write` may use any stdio output
/// calls; write errors are detected afterwards with ferror/fflush, so it need not check them.
/// On failure the temporary is removed and langevin::Error("cannot write <path>: <reason>") is
/// thrown; an exception thrown by `write` removes the temporary and propagates unchanged.
void write_file_atomically(const std::string& path, const std::function<void(std::FILE*)>& write);

/// The same for writers that open files by name (the HDF5 library): calls `write` with the name
/// of an empty temporary file in the directory of `path`, which `write` overwrites and closes;
/// then fsyncs it and renames it to `path`. Failures and exceptions are handled as above.
void write_named_file_atomically(const std::string& path,
                                 const std::function<void(const std::string& temporary)>& write);

/// Writes `count` floats as little-endian IEEE binary32, the byte order of both .npy (as this
/// library writes it) and safetensors, whatever the host's order.
void write_float32_little_endian(std::FILE* stream, const float* values, std::size_t count);
/// The same into `bytes` (4 × count of them), for writers that are not stdio streams.
void float32_little_endian(const float* values, std::size_t count, unsigned char* bytes);

/// A name in the directory of `path` (so that rename() stays within one file system) that no
/// other writer in this or another process uses at the same time.
std::string temporary_name_for(const std::string& path);

/// Syncs the directory holding `path`, so that a rename into it outlives a crash of the machine
/// (file systems that cannot sync a directory are left to their own order).
void sync_directory_of(const std::string& path);

/// A regular file open for binary reading.
class InputFile {
 public:
  /// Throws InvalidInput "cannot open <path>: <reason>" when the file is missing, unreadable or
  /// not a regular file.
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  /// The file's size in bytes when it was opened.
  std::uint64_t size() const { return size_; }
  /// Bytes between the read position and the end of the file.
  std::uint64_t remaining() const { return size_ - position_; }

  /// Reads exactly `count` bytes into `destination`; throws InvalidInput
  /// "<path>: unexpected end of file reading <what>" when fewer are available, or
  /// "<path>: read error: <reason>" on an I/O error.
  void read(void* destination, std::size_t count, const char* what);
  /// Moves the read position to `offset` bytes from the start (at most size()).
  void seek(std::uint64_t offset);

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t position_ = 0;
};

}  // namespace langevin::detail
