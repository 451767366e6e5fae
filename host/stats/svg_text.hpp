#pragma once
// Text for the SVG plots (ECDF, scatter): numbers in short form and labels escaped for XML.

#include <cstdio>
#include <string>

namespace langevin::svg {

/// A number with `digits` significant digits ("%.6g" by default: exact enough for pixels).
inline std::string number(double value, int digits = 6) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

/// A label (a file name, say) made safe inside an XML element or attribute.
inline std::string escaped(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

}  // namespace langevin::svg
