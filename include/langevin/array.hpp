#pragma once
/// \file
/// Array: a float32 array on the host, in C (row-major) order, with its shape.

#include <cstdint>
#include <string>
#include <vector>

namespace langevin {

class Array {
 public:
  Array() = default;
  /// A zero-filled array of the given shape.
  explicit Array(std::vector<std::int64_t> shape);
  /// An array holding `values`; throws InvalidInput if their count does not match the shape.
  Array(std::vector<std::int64_t> shape, std::vector<float> values);

  const std::vector<std::int64_t>& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  std::int64_t dim(int axis) const { return shape_.at(static_cast<std::size_t>(axis)); }
  std::int64_t size() const { return static_cast<std::int64_t>(values_.size()); }

  float* data() { return values_.data(); }
  const float* data() const { return values_.data(); }
  std::vector<float>& values() { return values_; }
  const std::vector<float>& values() const { return values_; }

  float& operator[](std::int64_t i) { return values_[static_cast<std::size_t>(i)]; }
  float operator[](std::int64_t i) const { return values_[static_cast<std::size_t>(i)]; }

  /// "(3, 4)": for messages.
  std::string shape_string() const;

 private:
  std::vector<std::int64_t> shape_;
  std::vector<float> values_;
};

/// Number of elements of a shape; throws InvalidInput on negative extents or 64-bit overflow.
std::int64_t element_count(const std::vector<std::int64_t>& shape);

/// A shape as Python writes a tuple: "(3, 2)", "(5,)", "()" (Array::shape_string's text).
std::string format_shape(const std::vector<std::int64_t>& shape);

/// Points in d dimensions as an (N, d) array: a rank-1 array (N,) becomes (N, 1); rank 2 is kept;
/// anything else is an InvalidInput naming `what`.
Array as_points(Array array, const std::string& what);

}  // namespace langevin
