#include "support/process.hpp"

#include <algorithm>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

namespace psm::e2e {

namespace fs = std::filesystem;

fs::path server_bin() { return PSM_SERVER_BIN; }
fs::path client_bin() { return PSM_CLIENT_BIN; }
fs::path source_dir() { return PSM_SOURCE_DIR; }

namespace {

fs::path temp_file(const char* stem) {
  std::random_device rd;
  return fs::temp_directory_path() /
         (std::string("psm-e2e-") + stem + "-" + std::to_string(rd()) + std::to_string(rd()));
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// fork + exec with stdin from `in_path`, stdout/stderr to files. The child
// gets the parent's environment plus `env` (which can blank a variable with "").
int spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, const fs::path& in_path,
          const fs::path& out_path, const fs::path& err_path) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto key = kv.substr(0, kv.find('='));
    if (!env.count(key)) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : env) {
    if (!v.empty()) env_strings.push_back(k + "=" + v);
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

int wait_for(int pid, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// SIGKILL, then wait so no zombie is left; `pid` becomes -1.
void kill_and_reap(int& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::string& input, std::chrono::seconds timeout) {
  const auto in = temp_file("in"), out = temp_file("out"), err = temp_file("err");
  {
    std::ofstream f(in, std::ios::binary);
    f << input;
  }
  RunResult r;
  const int pid = spawn(argv, env, in, out, err);
  r.exit_code = wait_for(pid, timeout);
  r.out = slurp(out);
  r.err = slurp(err);
  std::error_code ec;
  fs::remove(in, ec);
  fs::remove(out, ec);
  fs::remove(err, ec);
  return r;
}

Background::Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
    : out_(temp_file("bg")) {
  const auto in = temp_file("in");
  { std::ofstream f(in); }
  pid_ = spawn(argv, env, in, out_, out_.string() + ".err");
  std::error_code ec;
  fs::remove(in, ec);
}

Background::~Background() {
  kill_and_reap(pid_);
  std::error_code ec;
  fs::remove(out_, ec);
  fs::remove(out_.string() + ".err", ec);
}

std::string Background::output() const { return slurp(out_); }

bool Background::wait_for_output(const std::string& text, int occurrences, std::chrono::seconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    const std::string out = slurp(out_);
    int found = 0;
    for (auto pos = out.find(text); pos != std::string::npos; pos = out.find(text, pos + 1)) ++found;
    if (found >= occurrences) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int Background::wait(std::chrono::seconds timeout) {
  const int rc = wait_for(pid_, std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  pid_ = -1;
  return rc;
}

void Background::kill_hard() { kill_and_reap(pid_); }

Server::Server(const fs::path& data, std::uint16_t port, const std::vector<std::string>& extra_args,
               const std::map<std::string, std::string>& env)
    : log_(temp_file("server")) {
  const auto in = temp_file("in");
  { std::ofstream f(in); }
  std::vector<std::string> argv{server_bin().string(), "serve",    "--data",
                                data.string(),         "--listen", "127.0.0.1:" + std::to_string(port)};
  // Servers running side by side must not race for the default metrics port.
  if (std::find(extra_args.begin(), extra_args.end(), "--metrics-listen") == extra_args.end()) {
    argv.insert(argv.end(), {"--metrics-listen", "127.0.0.1:0"});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(argv, env, in, log_, log_.string() + ".err");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    const std::string text = slurp(log_);
    auto pos = text.find("listening on wss://");
    if (pos != std::string::npos && text.find('\n', pos) != std::string::npos) {
      url_ = text.substr(pos + 13, text.find('\n', pos) - pos - 13);
      port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
      // Printed before "listening on".
      if (auto at = text.find("metrics on http://"); at != std::string::npos && at < pos) {
        const auto end = text.find("/metrics", at + 18);
        const std::string host_port = text.substr(at + 18, end - at - 18);
        metrics_port_ = static_cast<std::uint16_t>(std::stoi(host_port.substr(host_port.rfind(':') + 1)));
      }
      break;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::error_code ec;
  fs::remove(in, ec);
}

Server::~Server() {
  if (pid_ > 0) kill_hard();
  std::error_code ec;
  fs::remove(log_, ec);
  fs::remove(log_.string() + ".err", ec);
}

int Server::stop(int signal, std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  const int rc = wait_for(pid_, timeout);
  pid_ = -1;
  return rc;
}

void Server::kill_hard() { kill_and_reap(pid_); }

std::string Server::output() const { return slurp(log_) + slurp(log_.string() + ".err"); }

}  // namespace psm::e2e
