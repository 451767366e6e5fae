#pragma once
// Progress of long work on a terminal: one line on stderr, redrawn at most ten times a second,
// with the part done, the rate and the time left. Off when stderr is not a terminal (logs and
// pipes get the commands' summaries only) and under --quiet.

#include <chrono>
#include <cstdint>
#include <string>

namespace langevin::cli {

class Progress {
 public:
  /// `what` names the work ("sampling"), `unit` what is counted ("chains"), `total` its amount.
  Progress(std::string what, std::string unit, std::int64_t total, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Whether the line is drawn at all (stderr is a terminal, not quiet).
  bool shown() const { return shown_; }
  /// `done` of total finished; `note` is appended (e.g. the current loss). Cheap when not shown
  /// or when the last redraw is under 0.1 s old: one clock read.
  void update(std::int64_t done, const std::string& note = "");
  /// Clears the line, so that what is printed next starts on a clean one.
  void clear();

 private:
  std::string what_;
  std::string unit_;
  std::int64_t total_;
  bool shown_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// "1h02m", "3m05s", "12s".
std::string duration_text(double seconds);

}  // namespace langevin::cli
