#include <cstddef>
#include <langevin/array.hpp>
#include <langevin/error.hpp>
#include <limits>
#include <utility>

namespace langevin {

std::string format_shape(const std::vector<std::int64_t>& shape) {
  if (shape.empty()) return "()";
  std::string text = "(";
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    if (axis > 0) text += ", ";
    text += std::to_string(shape[axis]);
  }
  // A 1-tuple keeps its trailing comma, as in Python, so that "(5,)" reads as a shape.
  text += shape.size() == 1 ? ",)" : ")";
  return text;
}

Array::Array(std::vector<std::int64_t> shape)
    : shape_(std::move(shape)), values_(static_cast<std::size_t>(element_count(shape_)), 0.0f) {}

Array::Array(std::vector<std::int64_t> shape, std::vector<float> values)
    : shape_(std::move(shape)), values_(std::move(values)) {
  const std::int64_t expected = element_count(shape_);
  if (static_cast<std::int64_t>(values_.size()) != expected) {
    throw InvalidInput("array of shape " + format_shape(shape_) + " needs " +
                       std::to_string(expected) + " values, got " + std::to_string(values_.size()));
  }
}

std::string Array::shape_string() const { return format_shape(shape_); }

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (const std::int64_t extent : shape) {
    if (extent < 0) {
      throw InvalidInput("negative extent " + std::to_string(extent) + " in shape " +
                         format_shape(shape));
    }
    // A zero extent makes the product 0 whatever follows, but later extents are still checked
    // for being negative; overflow is only possible while the product is non-zero.
    if (extent != 0 && count > std::numeric_limits<std::int64_t>::max() / extent) {
      throw InvalidInput("shape " + format_shape(shape) + " has more than 2^63 - 1 elements");
    }
    count *= extent;
  }
  return count;
}

Array as_points(Array array, const std::string& what) {
  if (array.rank() == 2) return array;
  if (array.rank() == 1) {
    const std::int64_t n = array.dim(0);
    return Array({n, 1}, std::move(array.values()));
  }
  throw InvalidInput(what + ": expected points of shape (N,) or (N, d), got shape " +
                     array.shape_string());
}

}  // namespace langevin
