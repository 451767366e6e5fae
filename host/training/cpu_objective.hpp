#pragma once
// The CPU's training objective: the fused one-pass loss of scalar_exact.hpp where it applies
// (exact loss, full batch, widths (1, H, 1): the seed problem), the general ScoreMatching
// otherwise.

#include "training/cpu_ops.hpp"
#include "training/fused_or_general.hpp"
#include "training/scalar_exact.hpp"
#include "training/score_matching.hpp"

namespace langevin::training {

template <Activation A, class S>
using CpuObjective = FusedOrGeneral<ScalarExactScoreMatching<A>, ScoreMatching<CpuOps, A, S>>;

}  // namespace langevin::training
