#pragma once
// Checking MPI's return codes (the library's communicators return errors rather than abort).

#include <mpi.h>

#include <string>

namespace langevin::mpi::detail {

/// Throws Error "<call> failed: <MPI's text for code>" unless code is MPI_SUCCESS.
void check(int code, const char* call);

/// Throws InvalidInput naming `what` when MPI is not initialised (or already finalised).
void require_initialized(const char* what);

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
