// Security administration from the command line: the audit trail (verify,
// show), the server key's pin, the receipt keys, and recording admin actions
// in the audit trail.
// Internal to psm-server's CLI.
#pragma once

#include "server/store/server_store.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace psm::server {

// psm-server's exit codes (README, docs/operations.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitData = 3;          // data directory: not initialised, wrong permissions, already there
inline constexpr int kExitStoreMissing = 4;  // initialised, but its store file is gone or empty: restore a backup
inline constexpr int kExitStoreDamaged = 5;  // the store failed its integrity check: restore a backup

// Says on stderr why a data directory or its store could not be opened and
// returns the exit code for it.
int store_open_failed(const std::string& detail, error_code ec);

struct SecurityCommands {
  CLI::App* audit_verify = nullptr;
  CLI::App* audit_show = nullptr;
  CLI::App* pin = nullptr;
  CLI::App* rekey = nullptr;
  CLI::App* receipt_key = nullptr;
  CLI::App* cert_show = nullptr;
  CLI::App* cert_renew = nullptr;
  bool rotate = false;
  bool new_key = false;
  std::filesystem::path data;
  AuditFilter filter;
  bool as_json = false;
};

// Adds `audit verify`, `audit show`, `pin`, `rekey`, `receipt-key`, `cert show`
// and `cert renew` to the app; values land in `c`.
void add_security_commands(CLI::App& app, SecurityCommands& c);
// Runs whichever of them was given; nullopt when none was.
std::optional<int> run_security_command(const SecurityCommands& c);

// Records an administrator's action (who: the operating-system user running
// psm-server) in the audit trail.
void audit_admin_action(Store& store, std::string detail, std::string children = {});

}  // namespace psm::server
