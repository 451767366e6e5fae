// Implementation of include/langevin/stats.hpp (CPU side). To be written.
#include <langevin/stats.hpp>
