// write_scatter_svg: two 2-D point sets (coordinates 0 and 1) over each other, as SVG written
// without Python (include/langevin/stats.hpp).

#include "io/atomic_file.hpp"
#include "svg_text.hpp"

#include <langevin/error.hpp>
#include <langevin/stats.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace langevin {
namespace {

constexpr double kSize = 520;    // plot area, pixels
constexpr double kLeft = 60;
constexpr double kTop = 50;

struct Box {
  double low = 0, high = 1;  // the same range on both axes, so circles stay round
  double pixel(double v, bool vertical) const {
    const double t = (v - low) / (high - low);
    return vertical ? kTop + kSize * (1 - t) : kLeft + kSize * t;
  }
};

/// At most `limit` points of a set, evenly strided, as circles.
std::string dots(const Array& points, const Box& box, const char* colour, std::int64_t limit) {
  const std::int64_t n = points.dim(0);
  const std::int64_t stride = std::max<std::int64_t>(1, (n + limit - 1) / limit);
  std::string group = "<g fill=\"" + std::string(colour) + "\" fill-opacity=\"0.35\">\n";
  for (std::int64_t i = 0; i < n; i += stride) {
    group += "<circle cx=\"" + svg::number(box.pixel(points[2 * i], false)) + "\" cy=\"" +
             svg::number(box.pixel(points[2 * i + 1], true)) + "\" r=\"1.6\"/>\n";
  }
  return group + "</g>\n";
}

}  // namespace

void write_scatter_svg(const std::string& path, const Array& a, const Array& b,
                       const std::string& label_a, const std::string& label_b) {
  for (const Array* set : {&a, &b}) {
    if (set->rank() != 2 || set->dim(1) != 2 || set->dim(0) == 0) {
      throw InvalidInput("scatter plot: points must be (N, 2), got " + set->shape_string());
    }
  }
  Box box;
  box.low = INFINITY;
  box.high = -INFINITY;
  for (const Array* set : {&a, &b}) {
    for (float v : set->values()) {
      if (!std::isfinite(v)) throw InvalidInput("scatter plot: a point is NaN or infinite");
      box.low = std::min<double>(box.low, v);
      box.high = std::max<double>(box.high, v);
    }
  }
  const double margin = box.high > box.low ? 0.05 * (box.high - box.low) : 1.0;
  box.low -= margin;
  box.high += margin;

  std::string document =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"620\" height=\"620\" viewBox=\"0 0 620 "
      "620\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"620\" height=\"620\" fill=\"white\"/>\n"
      "<text x=\"320\" y=\"30\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">"
      "samples and data</text>\n"
      "<rect x=\"60\" y=\"50\" width=\"520\" height=\"520\" fill=\"none\" stroke=\"black\"/>\n";
  for (int t = 0; t <= 4; ++t) {  // five ticks on each axis
    const double v = box.low + (box.high - box.low) * t / 4;
    const std::string x = svg::number(box.pixel(v, false)), y = svg::number(box.pixel(v, true));
    const std::string label = svg::number(v, 3);
    document += "<text x=\"" + x + "\" y=\"588\" text-anchor=\"middle\">" + label + "</text>\n";
    document += "<text x=\"52\" y=\"" + y + "\" text-anchor=\"end\" dominant-baseline=\"middle\">" +
                label + "</text>\n";
  }
  constexpr std::int64_t kMostPoints = 4000;  // per set: enough to see the modes, small files
  document += dots(b, box, "#d95f02", kMostPoints);
  document += dots(a, box, "#1f77b4", kMostPoints);
  document += "<circle cx=\"80\" cy=\"70\" r=\"4\" fill=\"#1f77b4\"/><text x=\"90\" y=\"74\">" +
         svg::escaped(label_a) + "</text>\n";
  document += "<circle cx=\"80\" cy=\"90\" r=\"4\" fill=\"#d95f02\"/><text x=\"90\" y=\"94\">" +
         svg::escaped(label_b) + "</text>\n";
  document += "</svg>\n";
  detail::write_file_atomically(path, [&](std::FILE* file) {
    std::fwrite(document.data(), 1, document.size(), file);
  });
}

}  // namespace langevin
