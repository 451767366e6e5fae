#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace langevin::cli {

Progress::Progress(std::string what, std::string unit, std::int64_t total, bool quiet)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      shown_(!quiet && total > 0 && isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { clear(); }

void Progress::update(std::int64_t done, const std::string& note) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  std::string line = what_ + ": " + std::to_string(static_cast<int>(100.0 * fraction)) + "% " +
                     std::to_string(done) + "/" + std::to_string(total_) + " " + unit_;
  if (done > 0 && elapsed > 0.0) {
    char rate[64];
    std::snprintf(rate, sizeof rate, ", %.3g %s/s", static_cast<double>(done) / elapsed,
                  unit_.c_str());
    line += rate;
    if (done < total_) line += ", " + duration_text(elapsed * (1.0 - fraction) / fraction) + " left";
  }
  if (!note.empty()) line += "  " + note;
  // \r returns to the line's start, ESC[K erases what a longer earlier line left behind.
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

std::string duration_text(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%llds", s);
  }
  return text;
}

}  // namespace langevin::cli
