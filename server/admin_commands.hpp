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

struct SecurityCommands {
  CLI::App* audit_verify = nullptr;
  CLI::App* audit_show = nullptr;
  CLI::App* pin = nullptr;
  CLI::App* rekey = nullptr;
  CLI::App* receipt_key = nullptr;
  bool rotate = false;
  std::filesystem::path data;
  AuditFilter filter;
  bool as_json = false;
};

// Adds `audit verify`, `audit show`, `pin`, `rekey` and `receipt-key` to the app; values land in `c`.
void add_security_commands(CLI::App& app, SecurityCommands& c);
// Runs whichever of them was given; nullopt when none was.
std::optional<int> run_security_command(const SecurityCommands& c);

// Records an administrator's action (who: the operating-system user running
// psm-server) in the audit trail.
void audit_admin_action(ServerStore& store, std::string detail, std::string children = {});

}  // namespace psm::server
