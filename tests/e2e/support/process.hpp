// Real processes for the end-to-end suite: run a command to completion with
// input, environment and a time limit, or start a long-running server and read
// what it prints.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace psm::e2e {

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
};

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
              const std::string& input = "", std::chrono::seconds timeout = std::chrono::seconds(60));

// Any long-running command, with its output collected in a file.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  std::string output() const;  // stdout so far
  // Waits until `text` appears in stdout or the time is up.
  bool wait_for_output(const std::string& text, int occurrences = 1,
                       std::chrono::seconds timeout = std::chrono::seconds(20)) const;
  int wait(std::chrono::seconds timeout = std::chrono::seconds(30));
  // SIGKILL, as a crash or a pulled battery would; waits for the process to go.
  void kill_hard();

 private:
  int pid_ = -1;
  std::filesystem::path out_;
};

class Server {
 public:
  // Starts `psm-server serve --data DIR --listen 127.0.0.1:PORT` and waits for
  // "listening on wss://…". Port 0 picks a free port. `extra_args` go after
  // the listen address (e.g. {"--token-days", "0.001"}); `env` is added to
  // its environment (e.g. libfaketime's).
  Server(const std::filesystem::path& data, std::uint16_t port = 0, const std::vector<std::string>& extra_args = {},
         const std::map<std::string, std::string>& env = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool ready() const { return !url_.empty(); }
  const std::string& url() const { return url_; }
  std::uint16_t port() const { return port_; }
  // The plain-HTTP metrics port (0 when started with --metrics-listen off).
  std::uint16_t metrics_port() const { return metrics_port_; }
  // Sends a signal and waits; returns the exit code (or -1).
  int stop(int signal = 15, std::chrono::seconds timeout = std::chrono::seconds(20));
  void kill_hard();
  std::string output() const;  // stdout + stderr so far

 private:
  int pid_ = -1;
  std::filesystem::path log_;
  std::string url_;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
};

std::filesystem::path server_bin();
std::filesystem::path client_bin();
std::filesystem::path source_dir();

}  // namespace psm::e2e
