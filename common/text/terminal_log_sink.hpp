// An spdlog sink that makes log messages terminal-safe (text/terminal.hpp)
// before another sink writes them: a server's log on an operator's terminal
// carries what strangers sent (a requested protocol, an address, an error
// text), and an escape sequence in it must not reach the terminal raw.
//
// Thread-safety: as the wrapped sink's (pass an _mt sink from several threads).
#pragma once

#include "common/text/terminal.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/sink.h>

#include <memory>
#include <string>
#include <utility>

namespace psm::text {

class TerminalSafeSink final : public spdlog::sinks::sink {
 public:
  explicit TerminalSafeSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}

  void log(const spdlog::details::log_msg& msg) override {
    const std::string safe = terminal_safe(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy(msg);
    copy.payload = spdlog::string_view_t(safe.data(), safe.size());
    inner_->log(copy);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace psm::text
