#pragma once
/// \file
/// Internal: running a third-party parser on untrusted input where its crash cannot take the
/// process down. libhdf5 (1.10 in Debian 12) dereferences wild pointers on some malformed files
/// — a fuzzer finds such a file within a hundred tries — and no check before H5Fopen can rule
/// that out, so the HDF5 readers parse files in a child process only, and the result comes back
/// as bytes through a pipe: the caller's process never runs the parser on the file at all (its
/// heap, and the parser's global state in it, stay untouched by whatever the file does).

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace langevin::detail {

/// Runs `attempt` in a forked child and returns the bytes it returned. An InvalidInput or Error
/// it throws is thrown again here with the same message. When the child dies of a signal this
/// throws InvalidInput "<path>: malformed <format> file (the <format> library crashed reading
/// it: <signal>)", and "... did not finish reading it" when it runs past 10 s plus 1 s per 50 MB
/// of file (a parser looping on a malformed file).
std::string read_in_child(const std::string& path, const std::string& format,
                          const std::function<std::string()>& attempt);

/// The encoding of results sent back by read_in_child's attempts: plain values and arrays of
/// them in the machine's own representation (both ends are the same program).
class ByteWriter {
 public:
  template <class T>
  void value(const T& v) {
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <class T>
  void values(const T* v, std::size_t count) {
    value(static_cast<std::uint64_t>(count));
    bytes_.append(reinterpret_cast<const char*>(v), count * sizeof(T));
  }
  void text(const std::string& s) { values(s.data(), s.size()); }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

/// Reads what a ByteWriter wrote, in the same order; throws Error if the bytes run out (an
/// answer cut short), never reading past them.
class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(bytes) {}
  template <class T>
  T value() {
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> values() {
    const auto count = value<std::uint64_t>();
    if (count > (bytes_.size() - position_) / sizeof(T)) cut_short();
    std::vector<T> v(static_cast<std::size_t>(count));
    if (count > 0) std::memcpy(v.data(), take(v.size() * sizeof(T)), v.size() * sizeof(T));
    return v;
  }
  /// values<T>() straight into `destination`, which holds `count` of them: throws Error unless
  /// that is the count written (large arrays are not copied twice).
  template <class T>
  void values_into(T* destination, std::size_t count) {
    if (value<std::uint64_t>() != count) cut_short();
    if (count > 0) std::memcpy(destination, take(count * sizeof(T)), count * sizeof(T));
  }
  std::string text() {
    const std::vector<char> chars = values<char>();
    return std::string(chars.begin(), chars.end());
  }
  bool done() const { return position_ == bytes_.size(); }

 private:
  const char* take(std::size_t count) {
    if (count > bytes_.size() - position_) cut_short();
    const char* at = bytes_.data() + position_;
    position_ += count;
    return at;
  }
  [[noreturn]] static void cut_short();
  const std::string& bytes_;
  std::size_t position_ = 0;
};

}  // namespace langevin::detail
