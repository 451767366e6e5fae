// mpi::train (include/langevin/mpi.hpp): data-parallel training over ranks. The objective's
// partial sums (row blocks or accumulation slots, fixed by the data: partials.hpp) are split
// over the ranks in contiguous shares; every rank gets every partial and folds them in their
// fixed order, so every rank takes the same optimizer step and the model is the one-process
// model, bit for bit, whatever the rank count.

#include "mpi_status.hpp"
#include "training/sharing.hpp"

#include <langevin/mpi.hpp>

#include <limits>
#include <optional>

namespace langevin::mpi {
namespace {

class RankPartials final : public training::Partials {
 public:
  explicit RankPartials(const detail::OwnComm& comm) : comm_(comm) {}

  std::pair<long long, long long> share(long long parts) const override {
    const Block block = block_of(parts, comm_.rank(), comm_.size());
    return {block.first, block.first + block.count};
  }

  void gather(float* values, long long per_part, double* losses,
              long long parts) const override {
    std::vector<int> counts(static_cast<std::size_t>(comm_.size()));
    std::vector<int> displacements(counts.size());
    const auto fill = [&](long long scale) {
      for (int r = 0; r < comm_.size(); ++r) {
        const Block block = block_of(parts, r, comm_.size());
        if (block.first * scale + block.count * scale > std::numeric_limits<int>::max()) {
          throw Error("training over ranks: " + std::to_string(parts * scale) +
                      " partial sums' values exceed MPI's int counts");
        }
        counts[static_cast<std::size_t>(r)] = static_cast<int>(block.count * scale);
        displacements[static_cast<std::size_t>(r)] = static_cast<int>(block.first * scale);
      }
    };
    if (values != nullptr) {
      fill(per_part);
      detail::check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, values, counts.data(),
                                   displacements.data(), MPI_FLOAT, comm_.get()),
                    "MPI_Allgatherv");
    }
    fill(1);
    detail::check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, losses, counts.data(),
                                 displacements.data(), MPI_DOUBLE, comm_.get()),
                  "MPI_Allgatherv");
  }

  bool shared() const override { return comm_.size() > 1; }

 private:
  const detail::OwnComm& comm_;
};

}  // namespace

TrainResult train(MPI_Comm caller, const Array& data, const Mlp& initial,
                  const TrainConfig& config) {
  detail::require_initialized("langevin::mpi::train");
  const detail::OwnComm comm(caller);
  // auto trains on the cpu backend here, at any rank count, GPU or not: the cpu backend is the
  // one whose model is the same bytes at every rank count (resolving auto to cuda on a GPU node
  // would refuse the very run the user did not ask the GPU for, and give one rank's model other
  // bytes than two ranks').
  TrainConfig run = config;
  if (run.backend == Backend::Auto) run.backend = Backend::Cpu;
  // Every rank checks the inputs first (the training checks them again): a bad input is one
  // error on all, before the first collective step.
  agree(comm.get(), [&] {
    langevin::detail::check_training_inputs(data, initial, run);
    if (comm.size() > 1 && run.backend == Backend::Cuda) {
      throw InvalidInput("backend = cuda: training over MPI ranks runs on the cpu backend (the "
                         "GPU's passes do not share their partial sums yet)");
    }
  });
  const RankPartials partials(comm);
  std::optional<TrainResult> result;
  agree(comm.get(), [&] {
    result.emplace(langevin::detail::train_sharing(data, initial, run, partials));
  });
  return std::move(*result);
}

TrainResult train(MPI_Comm comm, const Array& data, const TrainConfig& config) {
  std::optional<Mlp> initial;
  agree(comm, [&] {
    validate(config);
    initial.emplace(initial_model(static_cast<int>(as_points(data, "training data").dim(1)),
                                  config));
  });
  return train(comm, data, *initial, config);
}

}  // namespace langevin::mpi
