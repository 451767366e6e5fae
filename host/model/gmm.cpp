#include "dispatch.hpp"
#include "io/atomic_file.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/normal_stream.hpp>
#include <langevin/error.hpp>
#include <langevin/gmm.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace langevin {
namespace {

std::string index_name(const std::string& field, std::size_t k) {
  return "\"" + field + "\"[" + std::to_string(k) + "]";
}
std::string index_name(const std::string& field, std::size_t k, std::size_t j) {
  return index_name(field, k) + "[" + std::to_string(j) + "]";
}

std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

GaussianMixture::GaussianMixture(std::vector<double> weights,
                                 std::vector<std::vector<double>> means,
                                 std::vector<std::vector<double>> stds)
    : weights_(std::move(weights)), means_(std::move(means)), stds_(std::move(stds)) {
  const std::size_t k_count = weights_.size();
  if (k_count == 0) throw InvalidInput("\"weights\" is empty: a mixture needs a component");
  if (means_.size() != k_count) {
    throw InvalidInput("\"means\" has " + std::to_string(means_.size()) + " rows but \"weights\" has " +
                       std::to_string(k_count) + " components");
  }
  if (stds_.size() != k_count) {
    throw InvalidInput("\"stds\" has " + std::to_string(stds_.size()) + " rows but \"weights\" has " +
                       std::to_string(k_count) + " components");
  }
  dim_ = static_cast<int>(means_[0].size());
  if (dim_ == 0) throw InvalidInput("\"means\"[0] is empty: the dimension must be at least 1");
  double total = 0.0;
  for (std::size_t k = 0; k < k_count; ++k) {
    if (!(std::isfinite(weights_[k]) && weights_[k] > 0.0)) {
      throw InvalidInput(index_name("weights", k) + " = " + number_text(weights_[k]) +
                         ": must be positive and finite");
    }
    total += weights_[k];
    if (means_[k].size() != static_cast<std::size_t>(dim_)) {
      throw InvalidInput(index_name("means", k) + " has " + std::to_string(means_[k].size()) +
                         " values, \"means\"[0] has " + std::to_string(dim_));
    }
    if (stds_[k].size() != static_cast<std::size_t>(dim_)) {
      throw InvalidInput(index_name("stds", k) + " has " + std::to_string(stds_[k].size()) +
                         " values, the dimension is " + std::to_string(dim_));
    }
    // The samplers hold each mean and each deviation's inverse as a float32: both must be finite
    // there, and so must the deviation itself (draws scale by it).
    constexpr double kFloatMax = std::numeric_limits<float>::max();
    for (int j = 0; j < dim_; ++j) {
      if (!(std::abs(means_[k][j]) <= kFloatMax)) {
        throw InvalidInput(index_name("means", k, j) + " = " + number_text(means_[k][j]) +
                           ": must be finite in float32 (at most 3.4e+38 in magnitude)");
      }
      if (!(stds_[k][j] >= 1.0 / kFloatMax && stds_[k][j] <= kFloatMax)) {
        throw InvalidInput(index_name("stds", k, j) + " = " + number_text(stds_[k][j]) +
                           ": must be positive, its inverse and itself finite in float32 "
                           "(2.9e-39 … 3.4e+38)");
      }
    }
  }
  if (!std::isfinite(total)) throw InvalidInput("\"weights\" sum to infinity");
  for (double& w : weights_) w /= total;
}

GaussianMixture GaussianMixture::from_json(const std::string& text, const std::string& source) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InvalidInput(source + ": not valid JSON: " + e.what());
  }
  if (!root.is_object()) throw InvalidInput(source + ": expected a JSON object");
  for (const char* field : {"weights", "means", "stds"}) {
    if (!root.contains(field)) throw InvalidInput(source + ": missing \"" + field + "\"");
    if (!root[field].is_array()) {
      throw InvalidInput(source + ": \"" + field + "\" must be an array");
    }
  }
  for (const auto& item : root.items()) {
    if (item.key() != "weights" && item.key() != "means" && item.key() != "stds") {
      throw InvalidInput(source + ": unknown field \"" + item.key() +
                         "\" (expected weights, means, stds)");
    }
  }
  auto number = [&](const nlohmann::json& value, const std::string& where) {
    if (!value.is_number()) throw InvalidInput(source + ": " + where + " must be a number");
    return value.get<double>();
  };
  std::vector<double> weights;
  for (std::size_t k = 0; k < root["weights"].size(); ++k) {
    weights.push_back(number(root["weights"][k], index_name("weights", k)));
  }
  // Rows of d numbers; a 1-D mixture may give each row as a plain number.
  auto rows = [&](const char* field) {
    std::vector<std::vector<double>> result;
    const nlohmann::json& list = root[field];
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (list[k].is_number()) {
        result.push_back({list[k].get<double>()});
      } else if (list[k].is_array()) {
        std::vector<double> row;
        for (std::size_t j = 0; j < list[k].size(); ++j) {
          row.push_back(number(list[k][j], index_name(field, k, j)));
        }
        result.push_back(row);
      } else {
        throw InvalidInput(source + ": " + index_name(field, k) +
                           " must be a number or an array of numbers");
      }
    }
    return result;
  };
  try {
    return GaussianMixture(std::move(weights), rows("means"), rows("stds"));
  } catch (const InvalidInput& e) {
    throw InvalidInput(source + ": " + e.what());
  }
}

GaussianMixture GaussianMixture::convolved(double sigma) const {
  if (!(sigma >= 0.0 && sigma <= std::numeric_limits<float>::max())) {
    throw InvalidInput("sigma = " + number_text(sigma) +
                       ": must be non-negative and finite in float32 (at most 3.4e+38)");
  }
  std::vector<std::vector<double>> widened = stds_;
  for (auto& row : widened) {
    for (double& s : row) s = std::sqrt(s * s + sigma * sigma);
  }
  return GaussianMixture(weights_, means_, widened);
}

std::vector<float> GaussianMixture::packed() const {
  const int k_count = components();
  std::vector<float> block(static_cast<std::size_t>(k_count) * (1 + 2 * dim_));
  constexpr double kPi = 3.14159265358979323846;
  const double half_log_two_pi = 0.5 * std::log(2.0 * kPi);
  for (int k = 0; k < k_count; ++k) {
    double log_norm = std::log(weights_[k]) - dim_ * half_log_two_pi;
    for (int j = 0; j < dim_; ++j) {
      log_norm -= std::log(stds_[k][j]);
      block[k_count + k * dim_ + j] = static_cast<float>(means_[k][j]);
      block[k_count + (k_count + k) * dim_ + j] = static_cast<float>(1.0 / stds_[k][j]);
    }
    block[k] = static_cast<float>(log_norm);
  }
  return block;
}

Array GaussianMixture::log_density(const Array& points) const {
  if (points.rank() != 2 || points.dim(1) != dim_) {
    throw InvalidInput("points of shape " + points.shape_string() + " for a mixture in " +
                       std::to_string(dim_) + " dimensions: expected (N, " +
                       std::to_string(dim_) + ")");
  }
  const std::vector<float> block = packed();
  const device::GmmView view = device::gmm_view(block.data(), dim_, components());
  const std::int64_t n = points.dim(0);
  Array result({n});
  detail::with_max_dim(dim_, [&](auto max_dim) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      result[i] = device::gmm_log_density<max_dim(), float>(view, points.data() + i * dim_,
                                                            static_cast<float*>(nullptr));
    }
  });
  return result;
}

Array draw(const GaussianMixture& mixture, std::int64_t count, std::uint64_t seed) {
  if (count < 0) throw InvalidInput("n = " + std::to_string(count) + ": must be non-negative");
  const int d = mixture.dim();
  element_count({count, d});  // refuses sizes that overflow
  std::vector<double> cumulative;
  double total = 0.0;
  for (double w : mixture.weights()) cumulative.push_back(total += w);
  Array out({count, d});
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    // Draw 0 of the row's stream: a uniform for the component; then d normals (draw 1).
    const uint4 words = device::philox_words(seed, static_cast<unsigned long long>(i), 0);
    const double u = (words.x + 0.5) / 4294967296.0;
    const std::size_t k = static_cast<std::size_t>(
        std::lower_bound(cumulative.begin(), cumulative.end() - 1, u * total) - cumulative.begin());
    device::NormalStream normals(seed, static_cast<unsigned long long>(i), d, 1);
    for (int j = 0; j < d; j += 4) {
      float z[4] = {};  // draw() fills the first min(4, d − j); the rest is never read
      normals.draw<4>(z, std::min(4, d - j));
      for (int q = 0; q < 4 && j + q < d; ++q) {
        out[i * d + j + q] =
            static_cast<float>(mixture.means()[k][j + q] + mixture.stds()[k][j + q] * z[q]);
      }
    }
  }
  return out;
}

GaussianMixture load_gmm(const std::string& path) {
  detail::InputFile file(path);
  if (file.size() > (64u << 20)) {
    throw InvalidInput(path + ": " + std::to_string(file.size()) +
                       " bytes is too large for a mixture description (limit 64 MiB)");
  }
  std::string text(static_cast<std::size_t>(file.size()), '\0');
  file.read(text.data(), text.size(), "the mixture");
  return GaussianMixture::from_json(text, path);
}

}  // namespace langevin
