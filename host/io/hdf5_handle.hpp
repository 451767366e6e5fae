#pragma once
// Internal to host/io/hdf5*.cpp: ownership of HDF5 identifiers and HDF5's error messages.
//
// Every HDF5 call returns a negative value on failure and leaves the reason on the thread's
// error stack. check() turns that into a C++ exception carrying the innermost reason ("file
// signature not found", "truncated file: eof = ..."), which says more than the outer ones
// ("unable to open file"); Hdf5Handle closes what was opened on every path out.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>

namespace langevin::detail {

/// The most specific message on this thread's HDF5 error stack (empty if none), clearing it.
std::string take_hdf5_error();

/// Thrown by check(): `what` failed because of `reason`. The reader and the writer catch it and
/// rethrow it as InvalidInput or Error with the file's name.
struct Hdf5Failure {
  std::string what;
  std::string reason;
  std::string message() const { return reason.empty() ? what : what + ": " + reason; }
};

/// `status` if it is non-negative, else throws Hdf5Failure{what, the reason HDF5 gives}.
template <class Status>
Status check(Status status, const std::string& what) {
  if (status < 0) throw Hdf5Failure{what, take_hdf5_error()};
  return status;
}

/// An open HDF5 identifier and the function that closes it (H5Fclose, H5Dclose, ...).
class Hdf5Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Hdf5Handle() = default;
  /// Takes `id` from an HDF5 call; throws Hdf5Failure{what, ...} if the call failed.
  Hdf5Handle(hid_t id, Closer closer, const std::string& what)
      : id_(check(id, what)), closer_(closer) {}
  ~Hdf5Handle() {
    // A failure here can only be reported by close(), which the writer calls for the file.
    if (id_ >= 0) closer_(id_);
  }
  Hdf5Handle(Hdf5Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    std::swap(id_, other.id_);
    std::swap(closer_, other.closer_);
    return *this;
  }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;

  hid_t get() const { return id_; }

  /// Closes now and checks the status: closing a file writes its metadata, which can fail.
  void close(const std::string& what) {
    check(closer_(std::exchange(id_, H5I_INVALID_HID)), what);
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Opens an HDF5 file read-only after the checks every reader makes, so that a missing or
/// unreadable path gets the same InvalidInput as for a .npy file; stores the file's size in
/// `size`. Throws Hdf5Failure when HDF5 cannot open it.
Hdf5Handle open_hdf5_for_reading(const std::string& path, std::uint64_t* size);

/// Turns off HDF5's printing of its error stack to stderr while it exists, restoring whatever
/// the program had set before: failures reach the caller as exceptions, not as stderr dumps.
class QuietHdf5Errors {
 public:
  // Neither call can fail for the default stack; if one did, errors would merely be printed.
  QuietHdf5Errors() {
    saved_ = H5Eget_auto2(H5E_DEFAULT, &saved_function_, &saved_data_) >= 0;
    if (saved_) H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() {
    if (saved_) H5Eset_auto2(H5E_DEFAULT, saved_function_, saved_data_);
  }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  bool saved_ = false;
  H5E_auto2_t saved_function_ = nullptr;
  void* saved_data_ = nullptr;
};

}  // namespace langevin::detail
