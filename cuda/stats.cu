// Implementation of include/langevin/stats.hpp on the GPU (Thrust). To be written.
#include <langevin/stats.hpp>
