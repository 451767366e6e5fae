// langevin data: exact draws from a Gaussian mixture, as training data or a reference sample.

#include "array_output.hpp"
#include "commands.hpp"
#include "common.hpp"

#include <iostream>
#include <memory>

namespace langevin::cli {
namespace {

struct DataOptions {
  CommonOptions common;
  std::string gmm;
  std::int64_t count = 0;
  std::string out;
};

void run_data(const DataOptions& options) {
  check_array_output_path(options.out, "--out");
  if (options.count < 1) {
    throw InvalidInput("--n = " + std::to_string(options.count) + ": must be at least 1");
  }
  const GaussianMixture mixture = load_gmm(options.gmm);
  const Array samples = draw(mixture, options.count, options.common.seed);
  write_array_output(options.out, "data", samples, [&] {
    Hdf5Attributes attributes = describe_output("data", samples);
    describe_input_file(attributes, "gmm", options.gmm);
    attributes["n"] = options.count;
    attributes["seed"] = options.common.seed;
    return attributes;
  });
  print_summary(options.common,
                {{"command", "data"}, {"gmm", options.gmm}, {"n", options.count},
                 {"seed", options.common.seed}, {"out", options.out}, {"shape", samples.shape()}},
                "drew " + std::to_string(options.count) + " points from " + options.gmm + " -> " +
                    options.out + " " + samples.shape_string() + "\n");
}

}  // namespace

Command add_data_command(CLI::App& app) {
  auto options = std::make_shared<DataOptions>();
  CLI::App* command =
      app.add_subcommand("data", "draw exact samples from a Gaussian mixture (.json) into a .npy "
                                 "or .h5");
  command->add_option("--gmm", options->gmm, "Gaussian mixture (.json)")->required();
  command->add_option("--n", options->count, "number of points")
      ->check(integer_range<std::int64_t>())
      ->required();
  command->add_option("--out", options->out, "output points (.npy or .h5, shape (n, d))")
      ->required();
  add_common_options(*command, options->common);
  return {command, [options] { run_data(*options); }};
}

}  // namespace langevin::cli
