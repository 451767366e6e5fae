#pragma once
// Checking MPI's return codes (the library's communicators return errors rather than abort).

#include <langevin/error.hpp>

#include <mpi.h>

#include <functional>
#include <string>

namespace langevin::mpi::detail {

/// Throws Error "<call> failed: <MPI's text for code>" unless code is MPI_SUCCESS.
void check(int code, const char* call);

/// Throws InvalidInput naming `what` when MPI is not initialised (or already finalised).
void require_initialized(const char* what);

/// A chain divergence on this rank: agree_outcome() tells it from other failures, so that the
/// whole run's divergence can be counted before it is reported.
class Diverged : public Error {
 public:
  using Error::Error;
};

/// What the ranks agreed on: success, or the lowest failing rank's failure (its message prefixed
/// "rank R of P: " unless every rank failed alike).
struct Agreement {
  enum Kind { kSucceeded = 0, kFailed = 1, kInvalidInput = 2, kDiverged = 3 };
  Kind kind = kSucceeded;
  std::string message;
};

/// agree()'s protocol, returning the outcome instead of throwing it: every rank calls it at the
/// same point, whatever happened to it before.
Agreement agree_outcome(MPI_Comm comm, const std::function<void()>& step);

/// Throws the agreed failure: AgreedInvalidInput or AgreedError.
[[noreturn]] void throw_agreed(const Agreement& agreement);

/// A communicator of the library's own, duplicated from the caller's (so that its messages
/// never match the caller's), whose errors are returned: freed with the object.
class OwnComm {
 public:
  explicit OwnComm(MPI_Comm comm);
  ~OwnComm();
  OwnComm(const OwnComm&) = delete;
  OwnComm& operator=(const OwnComm&) = delete;
  MPI_Comm get() const { return comm_; }
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace langevin::mpi::detail
