// A build without MPI: every command runs as this process alone (ranks.cpp).

#include "ranks.hpp"

namespace langevin::cli {

std::string SingleProcess::mpi_text() const {
  return "not built in (configure with -DLANGEVIN_WITH_MPI=ON, or scripts/bootstrap)";
}

void start_ranks(int&, char**&) {}

}  // namespace langevin::cli
