#pragma once
/// \file
/// Internal: running a third-party parser on untrusted input where its crash cannot take the
/// process down. libhdf5 (1.10 in Debian 12) dereferences wild pointers on some malformed files
/// — a fuzzer finds such a file within a hundred tries — and no check before H5Fopen can rule
/// that out, so the HDF5 readers try the file in a child process first.

#include <functional>
#include <string>

namespace langevin::detail {

/// Runs `attempt` in a forked child. Returns normally when the child finished (whether or not
/// `attempt` threw: the caller repeats it for the real result and message); throws
/// InvalidInput "<path>: malformed <format> file (the <format> library crashed reading it:
/// <signal>)" when the child died of a signal, or "... did not finish reading it" when it ran
/// past 10 s plus 1 s per 50 MB of file (a parser looping on a malformed file).
void refuse_if_reading_crashes(const std::string& path, const std::string& format,
                               const std::function<void()>& attempt);

}  // namespace langevin::detail
