#include "common/platform/platform.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <csignal>

#include <fstream>
#include <iostream>
#include <sstream>

namespace psm::platform {

namespace fs = std::filesystem;

error_code write_private_file(const fs::path& path, std::string_view content, bool exclusive) {
  std::error_code exists_ec;
  if (exclusive && fs::exists(path, exists_ec)) return make_error_code(Errc::already_exists);
  const fs::path tmp = path.string() + ".new";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error_code(Errc::io_error);
  const auto n = ::write(fd, content.data(), content.size());
  const bool ok = n == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return make_error_code(Errc::io_error);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return make_error_code(Errc::io_error);
  }
  return {};
}

Expected<void> check_owner_only(const fs::path& path, std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error{make_error_code(Errc::not_found), "no " + std::string(what) + " at " + path.string()};
  }
  if ((st.st_mode & 077) != 0) {
    return Error{make_error_code(Errc::permission_denied),
                 std::string(what) + " " + path.string() + " is readable by group or others; chmod 600 it"};
  }
  return {};
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error_code(fs::exists(path) ? Errc::io_error : Errc::not_found);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string read_secret(const char* prompt) {
  std::string line;
  if (::isatty(STDIN_FILENO)) {
    std::cerr << prompt << std::flush;
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, line);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  } else {
    std::getline(std::cin, line);
  }
  return line;
}

void harden_process() {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  // Past a file size limit a write fails (EFBIG) and is reported like a full
  // disk, rather than the signal killing the process part-way through.
  ::signal(SIGXFSZ, SIG_IGN);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // LeakSanitizer attaches to the process to scan it; elsewhere nothing may.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

}  // namespace psm::platform
