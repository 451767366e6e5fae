// agree(), the split of chains over ranks and the rank → GPU rule (include/langevin/mpi.hpp).

#include "mpi_status.hpp"

#include <langevin/backend.hpp>
#include <langevin/mpi.hpp>

#include <algorithm>
#include <new>

namespace langevin::mpi {
namespace detail {

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  throw Error(std::string(call) + " failed: " +
              (length > 0 ? std::string(text, static_cast<std::size_t>(length))
                          : "MPI error " + std::to_string(code)));
}

void require_initialized(const char* what) {
  int initialized = 0, finalized = 0;
  check(MPI_Initialized(&initialized), "MPI_Initialized");
  check(MPI_Finalized(&finalized), "MPI_Finalized");
  if (!initialized || finalized) {
    throw InvalidInput(std::string(what) + ": MPI is " +
                       (finalized ? "already finalised" : "not initialised") +
                       "; call MPI_Init (or MPI_Init_thread) first: the caller owns MPI");
  }
}

OwnComm::OwnComm(MPI_Comm comm) {
  check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

OwnComm::~OwnComm() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

}  // namespace detail

namespace detail {

Agreement agree_outcome(MPI_Comm comm, const std::function<void()>& step) {
  require_initialized("langevin::mpi::agree");
  int rank = 0, ranks = 1;
  check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  check(MPI_Comm_size(comm, &ranks), "MPI_Comm_size");
  Agreement mine;
  try {
    step();
  } catch (const Diverged& error) {
    mine = {Agreement::kDiverged, error.what()};
  } catch (const InvalidInput& error) {
    mine = {Agreement::kInvalidInput, error.what()};
  } catch (const std::bad_alloc&) {
    mine = {Agreement::kFailed, "out of host memory"};
  } catch (const std::exception& error) {
    mine = {Agreement::kFailed, error.what()};
  }
  // The lowest rank that failed speaks for all; then each rank says whether it failed alike.
  const int candidate = mine.kind == Agreement::kSucceeded ? ranks : rank;
  int first = ranks;
  check(MPI_Allreduce(&candidate, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first == ranks) return {};
  int header[2] = {mine.kind, static_cast<int>(mine.message.size())};
  check(MPI_Bcast(header, 2, MPI_INT, first, comm), "MPI_Bcast");
  Agreement agreed{static_cast<Agreement::Kind>(header[0]), mine.message};
  agreed.message.resize(static_cast<std::size_t>(header[1]));
  check(MPI_Bcast(agreed.message.data(), header[1], MPI_CHAR, first, comm), "MPI_Bcast");
  const int alike = mine.kind == agreed.kind && mine.message == agreed.message ? 1 : 0;
  int all_alike = 0;
  check(MPI_Allreduce(&alike, &all_alike, 1, MPI_INT, MPI_LAND, comm), "MPI_Allreduce");
  if (!all_alike) {
    agreed.message = "rank " + std::to_string(first) + " of " + std::to_string(ranks) + ": " +
                     agreed.message;
  }
  return agreed;
}

void throw_agreed(const Agreement& agreement) {
  if (agreement.kind == Agreement::kInvalidInput) throw AgreedInvalidInput(agreement.message);
  throw AgreedError(agreement.message);
}

}  // namespace detail

void agree(MPI_Comm comm, const std::function<void()>& step) {
  const detail::Agreement agreement = detail::agree_outcome(comm, step);
  if (agreement.kind != detail::Agreement::kSucceeded) detail::throw_agreed(agreement);
}

Block block_of(std::int64_t chains, int rank, int ranks) {
  const std::int64_t base = chains / ranks, extra = chains % ranks;
  Block block;
  block.first = rank * base + std::min<std::int64_t>(rank, extra);
  block.count = base + (rank < extra ? 1 : 0);
  return block;
}

NodeRank node_rank(MPI_Comm comm) {
  detail::require_initialized("langevin::mpi::node_rank");
  MPI_Comm node = MPI_COMM_NULL;
  detail::check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
                "MPI_Comm_split_type");
  NodeRank result;
  const int rank_status = MPI_Comm_rank(node, &result.rank);
  const int size_status = MPI_Comm_size(node, &result.ranks);
  detail::check(MPI_Comm_free(&node), "MPI_Comm_free");
  detail::check(rank_status, "MPI_Comm_rank");
  detail::check(size_status, "MPI_Comm_size");
  return result;
}

int node_device(MPI_Comm comm) {
  const int local = node_rank(comm).rank;
  const std::vector<GpuInfo> visible = gpus();
  if (visible.empty()) return -1;
  return visible[static_cast<std::size_t>(local) % visible.size()].index;
}

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  detail::check(MPI_Get_library_version(text, &length), "MPI_Get_library_version");
  std::string version(text, static_cast<std::size_t>(std::max(0, length)));
  // The first line, up to its first comma: "Open MPI v4.1.4", "MPICH Version: 4.1".
  version = version.substr(0, std::min(version.find('\n'), version.find(',')));
  while (!version.empty() && (version.back() == ' ' || version.back() == ',' ||
                              version.back() == '\0')) {
    version.pop_back();
  }
  return version;
}

}  // namespace langevin::mpi
