#include "io/crash_isolation.hpp"

#include <langevin/error.hpp>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

namespace langevin::detail {

void refuse_if_reading_crashes(const std::string& path, const std::string& format,
                               const std::function<void()>& attempt) {
  std::error_code size_error;
  std::uintmax_t file_size = std::filesystem::file_size(path, size_error);
  if (size_error) file_size = 0;  // the parser will say what is wrong with the path
  const unsigned seconds = static_cast<unsigned>(
      std::min<std::uintmax_t>(10 + file_size / (std::uintmax_t{50} << 20), 86400));
  const pid_t child = ::fork();
  if (child < 0) throw Error("cannot read " + path + ": fork failed: " + std::strerror(errno));
  if (child == 0) {
    // A crash must end the child by its signal, for the parent to see: handlers the parent
    // installed (a debugger's, a sanitizer's, a fuzzer's) would turn it into an exit status.
    // The same for the time limit's SIGALRM (a fuzzer or a timer library may handle it), and
    // none of them may be blocked.
    sigset_t fatal;
    sigemptyset(&fatal);
    for (int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) {
      std::signal(signal_number, SIG_DFL);
      sigaddset(&fatal, signal_number);
    }
    pthread_sigmask(SIG_UNBLOCK, &fatal, nullptr);
    // A parser that loops forever on a malformed file is stopped, with room for slow disks:
    // 10 s plus 1 s per 50 MB.
    ::alarm(seconds);
    // _exit: no destructors, no stdio flushes, nothing of the parent's state touched.
    try {
      attempt();
    } catch (...) {
    }
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw Error("cannot read " + path + ": waitpid failed: " + std::strerror(errno));
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    throw InvalidInput(path + ": malformed " + format + " file (the " + format +
                       " library did not finish reading it)");
  }
  if (WIFSIGNALED(status)) {
    throw InvalidInput(path + ": malformed " + format + " file (the " + format +
                       " library crashed reading it: " + strsignal(WTERMSIG(status)) + ")");
  }
}

}  // namespace langevin::detail
