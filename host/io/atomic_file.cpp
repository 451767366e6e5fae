#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <langevin/error.hpp>
#include <utility>
#include <vector>

namespace langevin::detail {
namespace {

std::string reason(int error_number) { return std::strerror(error_number); }


// Owns the temporary until it is renamed: closes and removes it on every early exit.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string name) : name_(std::move(name)) {}
  ~TemporaryFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!name_.empty()) ::unlink(name_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  // Creates the file exclusively, so that a stale file of the same name is never reused.
  // Returns errno on failure, 0 on success.
  int create() {
    const int descriptor = ::open(name_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (descriptor < 0) {
      const int error_number = errno;
      name_.clear();  // nothing was created, so nothing to remove
      return error_number;
    }
    file_ = ::fdopen(descriptor, "wb");
    if (file_ == nullptr) {
      const int error_number = errno;
      ::close(descriptor);
      return error_number;
    }
    return 0;
  }

  std::FILE* stream() const { return file_; }

  // Flushes the stdio buffer and the kernel's page cache so that the data is durable before the
  // rename makes it visible; returns errno on failure, 0 on success.
  int flush_and_close() {
    int error_number = 0;
    if (std::ferror(file_) != 0) error_number = errno != 0 ? errno : EIO;
    if (error_number == 0 && std::fflush(file_) != 0) error_number = errno;
    if (error_number == 0 && ::fsync(::fileno(file_)) != 0) error_number = errno;
    const int close_status = std::fclose(file_);
    file_ = nullptr;
    if (error_number == 0 && close_status != 0) error_number = errno;
    return error_number;
  }

  // For a file that another library created and closed under name(): makes its data durable.
  // Returns errno on failure, 0 on success.
  int sync_by_name() {
    const int descriptor = ::open(name_.c_str(), O_WRONLY | O_CLOEXEC);
    if (descriptor < 0) return errno;
    int error_number = ::fsync(descriptor) != 0 ? errno : 0;
    if (::close(descriptor) != 0 && error_number == 0) error_number = errno;
    return error_number;
  }

  const std::string& name() const { return name_; }

  // Renames over `path`; afterwards the temporary no longer exists, so nothing is removed.
  // The directory is then synced too, so that the rename outlives a crash of the machine (a
  // checkpoint must); file systems that cannot sync a directory are left to their own order.
  int rename_to(const std::string& path) {
    if (std::rename(name_.c_str(), path.c_str()) != 0) return errno;
    name_.clear();
    sync_directory_of(path);
    return 0;
  }

 private:
  std::string name_;
  std::FILE* file_ = nullptr;
};

[[noreturn]] void fail_to_write(const std::string& path, int error_number) {
  throw Error("cannot write " + path + ": " + reason(error_number));
}

}  // namespace

std::string temporary_name_for(const std::string& path) {
  static std::atomic<unsigned long> counter{0};
  return path + ".tmp-" + std::to_string(static_cast<long>(::getpid())) + "-" +
         std::to_string(counter.fetch_add(1));
}

void sync_directory_of(const std::string& path) {
  const std::string::size_type slash = path.find_last_of('/');
  const std::string directory =
      slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor >= 0) {
    (void)::fsync(descriptor);
    ::close(descriptor);
  }
}

void float32_little_endian(const float* values, std::size_t count, unsigned char* bytes) {
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (std::size_t b = 0; b < 4; ++b) {
      bytes[4 * i + b] = static_cast<unsigned char>(bits >> (8 * b));
    }
  }
}

void write_file_atomically(const std::string& path, const std::function<void(std::FILE*)>& write) {
  TemporaryFile temporary(temporary_name_for(path));
  if (const int error_number = temporary.create()) fail_to_write(path, error_number);
  errno = 0;
  write(temporary.stream());
  if (const int error_number = temporary.flush_and_close()) fail_to_write(path, error_number);
  if (const int error_number = temporary.rename_to(path)) fail_to_write(path, error_number);
}

void write_named_file_atomically(const std::string& path,
                                 const std::function<void(const std::string& temporary)>& write) {
  // Created here, exclusively, so that the name is ours and a missing or read-only directory
  // gets the same message as for the other formats; removed on every exit until renamed.
  TemporaryFile temporary(temporary_name_for(path));
  if (const int error_number = temporary.create()) fail_to_write(path, error_number);
  if (const int error_number = temporary.flush_and_close()) fail_to_write(path, error_number);
  write(temporary.name());
  if (const int error_number = temporary.sync_by_name()) fail_to_write(path, error_number);
  if (const int error_number = temporary.rename_to(path)) fail_to_write(path, error_number);
}

void write_float32_little_endian(std::FILE* stream, const float* values, std::size_t count) {
  // Byte by byte through a buffer: portable, and fast enough next to the disk.
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  std::vector<unsigned char> bytes(std::min(count, kChunk) * 4);
  for (std::size_t done = 0; done < count;) {
    const std::size_t n = std::min(count - done, kChunk);
    float32_little_endian(values + done, n, bytes.data());
    std::fwrite(bytes.data(), 1, n * 4, stream);
    done += n;
  }
}

InputFile::InputFile(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) throw InvalidInput("cannot open " + path + ": " + reason(errno));
  struct stat status {};
  if (::fstat(::fileno(file_), &status) != 0) {
    const int error_number = errno;
    std::fclose(file_);
    throw InvalidInput("cannot open " + path + ": " + reason(error_number));
  }
  // Sizes in headers are checked against the file size, which only a regular file has.
  if (!S_ISREG(status.st_mode)) {
    std::fclose(file_);
    throw InvalidInput("cannot open " + path + ": " +
                       (S_ISDIR(status.st_mode) ? reason(EISDIR) : "not a regular file"));
  }
  size_ = static_cast<std::uint64_t>(status.st_size);
}

InputFile::~InputFile() { std::fclose(file_); }

void InputFile::read(void* destination, std::size_t count, const char* what) {
  if (count > remaining()) {
    throw InvalidInput(path_ + ": unexpected end of file reading " + what + ": needs " +
                       std::to_string(count) + " bytes, " + std::to_string(remaining()) + " left");
  }
  const std::size_t got = std::fread(destination, 1, count, file_);
  if (got != count) {
    // The file shrank after it was opened, or the device failed.
    if (std::ferror(file_) != 0) throw InvalidInput(path_ + ": read error: " + reason(errno));
    throw InvalidInput(path_ + ": unexpected end of file reading " + what +
                       " (the file shrank while being read)");
  }
  position_ += count;
}

void InputFile::seek(std::uint64_t offset) {
  if (offset > size_) {
    throw InvalidInput(path_ + ": offset " + std::to_string(offset) + " is past the end (" +
                       std::to_string(size_) + " bytes)");
  }
  if (::fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) {
    throw InvalidInput(path_ + ": read error: " + reason(errno));
  }
  position_ = offset;
}

}  // namespace langevin::detail
