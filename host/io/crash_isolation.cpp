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
namespace {

// The child's answer: one byte saying what it is, then its bytes.
constexpr char kValue = 'v';
constexpr char kInvalidInput = 'i';
constexpr char kError = 'e';

/// Writes all of `bytes` to `fd`; false when the pipe failed (the parent is gone).
bool write_all(int fd, const char* bytes, std::size_t count) {
  while (count > 0) {
    const ssize_t written = ::write(fd, bytes, count);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes += written;
    count -= static_cast<std::size_t>(written);
  }
  return true;
}

[[noreturn]] void run_child(int fd, unsigned seconds, const std::function<std::string()>& attempt) {
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
  // A parser that loops forever on a malformed file is stopped, with room for slow disks.
  ::alarm(seconds);
  std::string answer;
  try {
    answer = kValue + attempt();
  } catch (const InvalidInput& e) {
    answer = kInvalidInput + std::string(e.what());
  } catch (const std::exception& e) {
    answer = kError + std::string(e.what());
  } catch (...) {
    answer = kError + std::string("unknown exception");
  }
  // _exit: no destructors, no stdio flushes, nothing of the parent's state touched.
  ::_exit(write_all(fd, answer.data(), answer.size()) ? 0 : 1);
}

}  // namespace

void ByteReader::cut_short() { throw Error("an isolated reader's answer was cut short"); }

std::string read_in_child(const std::string& path, const std::string& format,
                          const std::function<std::string()>& attempt) {
  std::error_code size_error;
  std::uintmax_t file_size = std::filesystem::file_size(path, size_error);
  if (size_error) file_size = 0;  // the parser will say what is wrong with the path
  const unsigned seconds = static_cast<unsigned>(
      std::min<std::uintmax_t>(10 + file_size / (std::uintmax_t{50} << 20), 86400));
  int fds[2];
  if (::pipe(fds) != 0) {
    throw Error("cannot read " + path + ": pipe failed: " + std::strerror(errno));
  }
  const pid_t child = ::fork();
  if (child < 0) {
    const int fork_errno = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error("cannot read " + path + ": fork failed: " + std::strerror(fork_errno));
  }
  if (child == 0) {
    ::close(fds[0]);
    run_child(fds[1], seconds, attempt);
  }
  ::close(fds[1]);
  // Read the answer while the child writes it (a pipe holds only 64 KiB), up to its end.
  std::string answer;
  char buffer[1 << 16];
  int read_errno = 0;
  for (;;) {
    const ssize_t got = ::read(fds[0], buffer, sizeof buffer);
    if (got > 0) {
      answer.append(buffer, static_cast<std::size_t>(got));
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      if (got < 0) read_errno = errno;
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      throw Error("cannot read " + path + ": waitpid failed: " + std::strerror(errno));
    }
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    throw InvalidInput(path + ": malformed " + format + " file (the " + format +
                       " library did not finish reading it)");
  }
  if (WIFSIGNALED(status)) {
    throw InvalidInput(path + ": malformed " + format + " file (the " + format +
                       " library crashed reading it: " + strsignal(WTERMSIG(status)) + ")");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && answer.empty()) {
    // Only the parser runs in the child: it ended the process (exit() on a fatal error, or an
    // allocator that gives up) rather than return.
    throw InvalidInput(path + ": malformed " + format + " file (the " + format +
                       " library ended the process reading it: exit status " +
                       std::to_string(WEXITSTATUS(status)) + ")");
  }
  if (read_errno != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || answer.empty()) {
    throw Error("cannot read " + path + ": the reading process ended without an answer" +
                (read_errno != 0 ? std::string(": ") + std::strerror(read_errno) : ""));
  }
  const char kind = answer[0];
  answer.erase(0, 1);
  switch (kind) {
    case kValue: return answer;
    case kInvalidInput: throw InvalidInput(answer);
    default: throw Error(answer);
  }
}

}  // namespace langevin::detail
