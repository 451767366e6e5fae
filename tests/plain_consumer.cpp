// A user's translation unit that includes the whole C++ API, compiled by the plain host compiler
// with nothing but the public headers on its include path: no CUDA headers, no private ones
// (tests/CMakeLists.txt: Layering.PublicApiNeedsNoCudaHeaders).

#include <langevin/langevin.hpp>
#include <langevin/langevin.h>
#include <langevin/target.hpp>

int main() {
  langevin::SamplerConfig config;
  config.score_form = langevin::ScoreForm::Layered;
  return config.chains > 0 ? 0 : 1;
}
