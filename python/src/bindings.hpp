#pragma once
// The module's parts (module.cpp puts them together) and what they share: the library's
// enumerations as Python strings, and the callback that runs between slices of a long call.

#include <nanobind/nanobind.h>

#include <cstdint>
#include <string>

namespace langevin::python {

namespace nb = nanobind;

void bind_models(nb::module_& m);
void bind_sampling(nb::module_& m);
void bind_training(nb::module_& m);
void bind_analysis(nb::module_& m);

/// What the library calls between slices of a long run (SamplerConfig::on_progress,
/// TrainConfig::on_step), with the GIL released around the library: takes the GIL, raises
/// KeyboardInterrupt (and any other pending signal's exception) through the library when Ctrl-C
/// was pressed, and advances a tqdm bar when `progress` asked for one.
class Between {
 public:
  /// `progress`: False, True (a tqdm bar when tqdm is installed) or a callable(done, total).
  Between(nb::handle progress, std::string unit);
  ~Between();
  Between(const Between&) = delete;
  Between& operator=(const Between&) = delete;

  void operator()(std::int64_t done, std::int64_t total);

 private:
  nb::object callback_;
  nb::object bar_;
  std::string unit_;
  bool wants_bar_ = false;
  std::int64_t shown_ = 0;
};

}  // namespace langevin::python
