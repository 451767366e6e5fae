// Tests of include/langevin/stats.hpp. To be written.
#include <langevin/stats.hpp>
