#pragma once
// The module's parts (module.cpp puts them together) and what they share: the library's
// enumerations as Python strings, and the callback that runs between slices of a long call.

#include <langevin/error.hpp>
#include <langevin/summary.hpp>

#include <nanobind/nanobind.h>

#include <cstdint>
#include <string>

namespace langevin::python {

namespace nb = nanobind;

void bind_models(nb::module_& m);
void bind_sampling(nb::module_& m);
void bind_training(nb::module_& m);
void bind_analysis(nb::module_& m);

/// The configuration a call gives: `config`, an instance of `Config` (bound as the class
/// `name`), or the keyword arguments, which that class's constructor takes — not both.
template <class Config>
Config config_of(nb::handle config, const nb::kwargs& kwargs, const char* name) {
  if (!config.is_none()) {
    if (kwargs.size() > 0) {
      throw InvalidInput("give the configuration either as config= or as keyword arguments");
    }
    return nb::cast<const Config&>(config);
  }
  return nb::cast<Config>(nb::module_::import_("langevin._langevin").attr(name)(**kwargs));
}

/// `bins` equal bins over `range` = (low, high); 0 bins and no range: no histogram.
HistogramSpec histogram_of(int bins, nb::handle range);

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
