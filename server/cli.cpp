#include "server/cli.hpp"

#include "common/crypto/pin.hpp"
#include "server/admin_commands.hpp"

#include "common/limits.hpp"
#include "common/model/domain.hpp"
#include "common/platform/platform.hpp"
#include "common/policy/calendar.hpp"
#include "common/protocol/messages.hpp"
#include "common/text/terminal.hpp"
#include "common/text/terminal_log_sink.hpp"
#include "server/net/listener.hpp"
#include "server/net/metrics.hpp"
#include "server/net/tls.hpp"
#include "server/report/report.hpp"
#include "server/server.hpp"
#include "server/store/server_store.hpp"
#include "server/sync/calendar_import.hpp"
#include "server/sync/session.hpp"
#include "server/sync/sync_service.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace psm::server {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

int data_error(const std::string& detail, error_code ec) { return store_open_failed(detail, ec); }

std::string read_line() {
  std::string line;
  std::getline(std::cin, line);
  return line;
}

int cmd_init(const fs::path& data, const std::vector<std::string>& hostnames) {
  DataPaths paths(data);
  auto store = ServerStore::create(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  std::vector<std::string> names = hostnames;
  if (names.empty()) names.push_back("localhost");
  if (auto ec = net::generate_tls_material(paths.tls_dir(), names)) {
    std::cerr << "psm-server: cannot create TLS certificates in " << paths.tls_dir() << ": " << ec.message() << "\n";
    return kExitFailure;
  }
  audit_admin_action(**store, "initialised the data directory");
  bool created = false;
  auto receipt_keys = ReceiptKeys::load_or_create(paths, &created);
  if (!receipt_keys) return data_error(receipt_keys.error().message, receipt_keys.error().code);
  if (created) audit_admin_action(**store, "created receipt key " + (*receipt_keys)->signing_key().key_id());
  const auto pin = crypto::public_key_pin_of_pem_file(paths.tls_dir() / net::kServerCertFile);
  std::cout << "initialised " << data.string() << "\n"
            << "  store:        " << paths.store().string() << " (encrypted; key in " << paths.key().string()
            << ", mode 0600)\n"
            << "  CA for devices: " << (paths.tls_dir() / "ca.pem").string() << "\n"
            << "  key pin:      " << (pin ? *pin : std::string("?")) << " (psm enrol --pin)\n"
            << "  receipt key:  " << paths.receipt_key().string() << " (mode 0600; id "
            << (*receipt_keys)->signing_key().key_id() << "; psm-server receipt-key prints the public key)\n";
  return kExitOk;
}

// "ADDRESS:PORT" → address and port; false when it is not that shape.
bool split_address_port(const std::string& text, std::string& address, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    std::size_t used = 0;
    const unsigned long value = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
  } catch (const std::exception&) {
    return false;
  }
  address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  return true;
}

int cmd_serve(const fs::path& data, const std::string& listen, const std::string& metrics_listen,
              std::size_t max_before_sign_in_per_address, const ServerPolicy& policy, bool check_store) {
  ServerOptions options;
  options.data = data;
  options.policy = policy;
  options.check_store = check_store;
  options.stop_on_signals = true;
  std::string metrics_address;
  const bool serve_metrics = metrics_listen != "off";
  if (serve_metrics && !split_address_port(metrics_listen, metrics_address, options.metrics_port)) {
    std::cerr << "psm-server: --metrics-listen must be ADDRESS:PORT or off\n";
    return kExitUsage;
  }
  if (serve_metrics) options.metrics_address = metrics_address;
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "psm-server: --listen must be ADDRESS:PORT\n";
    return kExitUsage;
  }
  options.listener.address = listen.substr(0, colon);
  try {
    options.listener.port = static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    std::cerr << "psm-server: --listen must be ADDRESS:PORT\n";
    return kExitUsage;
  }
  options.listener.max_connections_before_sign_in_per_address = max_before_sign_in_per_address;

  Server server(std::move(options));
  if (auto failure = server.start()) {
    switch (failure->step) {
      case StartFailure::Step::already_serving:
        std::cerr << "psm-server: another psm-server is already serving " << data.string() << "\n";
        return kExitFailure;
      case StartFailure::Step::store:
      case StartFailure::Step::tls_key:
      case StartFailure::Step::receipt_key:
        return data_error(failure->detail, failure->code);
      case StartFailure::Step::tls_context:
        std::cerr << "psm-server: cannot load TLS certificate and key from " << server.tls_dir() << ": "
                  << failure->code.message() << "\n";
        return kExitData;
      case StartFailure::Step::listen:
        std::cerr << "psm-server: cannot listen on " << listen << ": "
                  << (failure->detail.empty() ? failure->code.message() : failure->detail) << "\n";
        return kExitFailure;
      case StartFailure::Step::metrics_listen:
        std::cerr << "psm-server: cannot serve metrics on " << metrics_listen << ": "
                  << (failure->detail.empty() ? failure->code.message() : failure->detail)
                  << " (choose another with --metrics-listen ADDRESS:PORT, or --metrics-listen off)\n";
        return kExitFailure;
    }
    return kExitFailure;
  }
  if (serve_metrics) {
    const auto mep = server.metrics_endpoint();
    if (!mep.address().is_loopback()) {
      spdlog::warn("metrics are served without TLS on {}: keep that address on a private network", metrics_listen);
    }
    const std::string host = mep.address().is_v6() ? "[" + mep.address().to_string() + "]" : mep.address().to_string();
    std::cout << "metrics on http://" << host << ":" << mep.port() << "/metrics" << std::endl;
  }
  const auto ep = server.endpoint();
  std::cout << "listening on wss://" << ep.address().to_string() << ":" << ep.port() << std::endl;
  server.run();
  std::cout << "stopped" << std::endl;
  return kExitOk;
}

int cmd_user_add(const fs::path& data, const std::string& username, const std::string& role_name,
                 const std::string& name, const std::string& person_id, bool password_stdin) {
  auto role = model::parse_role(role_name);
  if (!role) {
    std::cerr << "psm-server: --role must be one of " << model::spellings_of_role() << "\n";
    return kExitUsage;
  }
  std::string password;
  if (const char* env = std::getenv("PSM_PASSWORD"); env && !password_stdin) {
    password = env;
  } else {
    password = password_stdin ? read_line() : platform::read_secret("Password for the new account: ");
  }
  DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  Account account{username, person_id.empty() ? username : person_id, *role, name, {}};
  if (auto added = add_user(**store, account, password); !added) {
    std::cerr << "psm-server: " << added.error().message << "\n";
    return added.error().code == Errc::invalid_argument ? kExitUsage : kExitFailure;
  }
  audit_admin_action(**store, "added account " + username + " (" + role_name + ")");
  std::cout << "added " << username << " (" << role_name << ")\n";
  return kExitOk;
}

int cmd_import(const fs::path& data, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "psm-server: cannot read " << file << "\n";
    return kExitUsage;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  auto imported = import_reference_data(**store, buffer.str());
  if (!imported) {
    std::cerr << "psm-server: import refused, nothing imported: " << imported.error().message << "\n";
    return kExitUsage;
  }
  const std::size_t count = *imported;
  audit_admin_action(**store, "imported " + std::to_string(count) + " reference records from " + file.string());
  std::cout << "imported " << count << " reference records\n";
  return kExitOk;
}

// --today: a date, or "" for none given. False (after saying so) when malformed.
bool parse_today(const std::string& text, std::optional<policy::Date>& out) {
  if (text.empty()) return true;
  out = policy::parse_date(text);
  if (!out) std::cerr << "psm-server: --today must be YYYY-MM-DD\n";
  return out.has_value();
}

int cmd_escalate(const fs::path& data, const std::string& today_text) {
  std::optional<policy::Date> given;
  if (!parse_today(today_text, given)) return kExitUsage;
  const auto today = given.value_or(policy::uk_date_of(model::HlcClock::system_now_millis()));
  DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  Metrics metrics;
  SyncService service(std::move(*store), metrics);
  auto result = service.escalate(today);
  audit_admin_action(service.backend(), "escalation sweep for " + policy::format_date(today) + ": " +
                                            std::to_string(result.notifications) + " notification(s)");
  std::cout << "escalation sweep for " << policy::format_date(today) << ": " << result.notifications
            << " notification(s)\n";
  return kExitOk;
}

int cmd_report(const fs::path& data, report::ReportRequest request, const std::string& today_text) {
  if (!parse_today(today_text, request.today)) return kExitUsage;
  DataPaths paths(data);
  std::string detail;
  auto store = ServerStore::open(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  std::ostringstream out;
  if (!report::write_report(**store, request, model::HlcClock::system_now_millis(), out, detail)) {
    std::cerr << "psm-server: " << detail << "\n";
    return kExitUsage;
  }
  std::cout << out.str();
  return kExitOk;
}

// R16: `calendar import FILE` sends a new edition to every device; `calendar
// show` prints the edition in force.
int cmd_calendar(const fs::path& data, const fs::path& file, bool as_json) {
  std::string text;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "psm-server: cannot read " << file << "\n";
      return kExitUsage;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  if (!file.empty()) {
    auto imported = import_calendar(**store, text);
    if (!imported) {
      std::cerr << "psm-server: calendar refused, nothing changed: " << imported.error().message << "\n";
      return kExitUsage;
    }
    if (!imported->unchanged) {
      audit_admin_action(**store,
                         "imported calendar version " + std::to_string(imported->version) + " from " + file.string());
    }
    std::cout << describe(*imported);
    return kExitOk;
  }
  std::cout << describe(calendar_in_store(**store), as_json);
  return kExitOk;
}

int cmd_devices(const fs::path& data, bool as_json) {
  DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  auto devices = (*store)->list_devices();
  if (as_json) {
    boost::json::array arr;
    for (const auto& d : devices) {
      arr.push_back({{"device_id", d.device_id},
                     {"username", d.username},
                     {"name", d.name},
                     {"enrolled_at", policy::format_utc(d.enrolled_at_ms)},
                     {"last_seen", policy::format_utc(d.last_seen_ms)},
                     {"revoked", d.revoked}});
    }
    std::cout << boost::json::serialize(arr) << "\n";
    return kExitOk;
  }
  if (devices.empty()) std::cout << "no devices enrolled\n";
  for (const auto& d : devices) {
    std::cout << d.device_id << "  " << d.username << "  \"" << d.name << "\"  last seen "
              << policy::format_local_datetime(d.last_seen_ms) << (d.revoked ? "  REVOKED" : "") << "\n";
  }
  return kExitOk;
}

int cmd_backup(const fs::path& data, const fs::path& to) {
  DataPaths paths(data);
  if (auto done = ServerStore::backup(paths, to); !done) return data_error(done.error().message, done.error().code);
  if (auto store = ServerStore::open(paths)) audit_admin_action(**store, "backed up the store to " + to.string());
  std::cout << "backed up " << paths.store().string() << " to " << to.string()
            << " (encrypted with the store key; keep " << paths.key().string() << " safe and apart from it)\n";
  return kExitOk;
}

int cmd_restore(const fs::path& data, const fs::path& from) {
  DataPaths paths(data);
  if (!fs::exists(paths.key())) return data_error("no psm store in " + data.string(), make_error_code(Errc::not_found));
  ServeLock lock(paths.serve_lock());
  if (!lock.held()) {
    std::cerr << "psm-server: a psm-server is serving " << data.string() << "; stop it before restoring\n";
    return kExitData;
  }
  // Where the audit trail ended before the restore: entries after the backup
  // go with the store, so the restored trail records what was lost.
  std::string previous_trail = "unreadable";
  if (auto before = ServerStore::open(paths)) {
    const auto v = (*before)->audit().verify();
    previous_trail = std::to_string(v.entries) + " entries, head " + (v.ok ? v.head_hash : "broken: " + v.problem);
  } else if (before.error().code == StoreErrc::store_missing) {
    previous_trail = "no store: it was missing or empty";
  }
  auto restored = ServerStore::restore(paths, from);
  if (!restored) return data_error(restored.error().message, restored.error().code);
  const std::string epoch = *restored;
  if (auto store = ServerStore::open(paths)) {
    audit_admin_action(**store, "restored the store from " + from.string() + " (new epoch " + epoch +
                                    "); the trail before the restore had " + previous_trail);
  }
  std::cout << "restored " << paths.store().string() << " from " << from.string() << "; new epoch " << epoch
            << ": devices will re-send what the backup lacks when they next sync\n";
  return kExitOk;
}

int cmd_revoke(const fs::path& data, const std::string& id) {
  DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return data_error(store.error().message, store.error().code);
  if (!(*store)->revoke_device(id)) {
    std::cerr << "psm-server: no device " << id << "\n";
    return kExitFailure;
  }
  audit_admin_action(**store, "revoked device " + id);
  std::cout << "revoked " << id << "; it will wipe its replica when it next connects\n";
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  platform::harden_process();
  // Everything printed or logged has control characters made visible: audit
  // entries, device names and log lines carry what others sent
  // (common/text/terminal.hpp).
  psm::text::TerminalSafeStreams terminal_safe_output;
  auto logger = std::make_shared<spdlog::logger>(
      "psm-server",
      std::make_shared<psm::text::TerminalSafeSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");

  CLI::App app{"psm-server: the placement support sync server"};
  app.require_subcommand(1);
  fs::path data;
  auto add_data = [&](CLI::App* cmd) { cmd->add_option("--data", data, "server data directory")->required(); };

  auto* init = app.add_subcommand("init", "create a data directory: encrypted store, store key, TLS certificates");
  add_data(init);
  std::vector<std::string> hostnames;
  init->add_option("--hostname", hostnames, "host name(s) devices will use to reach this server");

  auto* serve = app.add_subcommand("serve", "serve devices over TLS WebSockets");
  add_data(serve);
  std::string listen = "127.0.0.1:8443";
  serve->add_option("--listen", listen, "ADDRESS:PORT to listen on (port 0: any free port)");
  std::string metrics_listen = "127.0.0.1:9443";
  serve->add_option("--metrics-listen", metrics_listen,
                    "ADDRESS:PORT for GET /metrics over plain HTTP (default 127.0.0.1:9443; off: none)");
  std::size_t max_before_sign_in_per_address = limits::kMaxConnectionsBeforeSignInPerAddress;
  serve
      ->add_option("--max-signing-in-per-address", max_before_sign_in_per_address,
                   "connections one IP address may have open before they sign in (default " +
                       std::to_string(limits::kMaxConnectionsBeforeSignInPerAddress) + ")")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  ServerPolicy policy;
  bool check_store = false;
  serve->add_flag("--check-store", check_store,
                  "check every page of the store before serving, even when the last stop was clean");
  double token_days = 30;
  serve->add_option("--token-days", token_days, "days a device's sign-in lasts without connecting (default 30)")
      ->check(CLI::Range(0.00001, 3650.0));
  serve
      ->add_option("--max-days-offline", policy.max_days_offline,
                   "days a device may go without syncing before it must sync to open (0: no limit; default 30)")
      ->check(CLI::Range(0, 3650));
  serve
      ->add_option("--max-ops-per-minute", policy.max_ops_per_minute,
                   "operations one device may send per minute; more wait (default 6000)")
      ->check(CLI::Range(1, 10'000'000));
  serve
      ->add_option("--lockout-failures", policy.sign_in.per_account_address.max_failures,
                   "wrong passwords for one account from one address within 15 minutes before that account is "
                   "locked from there for 15 (default 5)")
      ->check(CLI::Range(1, 1000));
  serve
      ->add_option("--account-lockout-failures", policy.sign_in.per_account.max_failures,
                   "wrong passwords for one account from any addresses within 15 minutes before it is locked "
                   "for 15 (default 20); devices already signed in keep syncing")
      ->check(CLI::Range(1, 1000));
  serve
      ->add_option("--address-lockout-failures", policy.sign_in.per_address.max_failures,
                   "wrong passwords from one address, any accounts, within 15 minutes before password sign-ins "
                   "from it wait 15 (default 100); devices already signed in keep syncing")
      ->check(CLI::Range(1, 100'000));

  auto* user = app.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "create an account");
  add_data(user_add);
  std::string username, role, name, person_id;
  bool password_stdin = false;
  user_add->add_option("--username", username)->required();
  user_add->add_option("--role", role, "one of: " + model::spellings_of_role())->required();
  user_add->add_option("--name", name, "full name")->required();
  user_add->add_option("--person", person_id, "the person id in the reference data (default: the username)");
  user_add->add_flag("--password-stdin", password_stdin, "read the password from standard input");

  auto* import = app.add_subcommand("import", "import reference data (docs/reference-data.md)");
  add_data(import);
  fs::path file;
  import->add_option("FILE", file, "JSON file")->required();

  auto* device = app.add_subcommand("device", "list or revoke enrolled devices");
  device->require_subcommand(1);
  auto* device_list = device->add_subcommand("list", "list devices");
  add_data(device_list);
  bool as_json = false;
  device_list->add_flag("--json", as_json, "machine-readable output");
  auto* device_revoke = device->add_subcommand("revoke", "revoke a device: it wipes its replica on next contact");
  add_data(device_revoke);
  std::string device_id;
  device_revoke->add_option("ID", device_id)->required();

  auto* escalate = app.add_subcommand("escalate", "escalate overdue actions once (the server also does this itself)");
  add_data(escalate);
  std::string today;
  escalate->add_option("--today", today, "YYYY-MM-DD to sweep as (default: today)");

  SecurityCommands security;
  add_security_commands(app, security);
  auto* report_cmd =
      app.add_subcommand("report", "reports for managers: timeliness, actions, tracking (docs/operations.md)");
  add_data(report_cmd);
  report::ReportRequest report_request;
  report_cmd->add_option("REPORT", report_request.kind, "timeliness, actions or tracking")->required();
  report_cmd->add_option("--by", report_request.by, "actions: group by placement or team (default placement)");
  report_cmd->add_option("--today", today, "YYYY-MM-DD to report as at the end of (default: now)");
  report_cmd->add_flag("--json", report_request.as_json, "machine-readable output");

  auto* calendar = app.add_subcommand("calendar", "the working-day calendar devices use (bank holidays)");
  calendar->require_subcommand(1);
  auto* calendar_import = calendar->add_subcommand("import", "send a new edition of the calendar to every device");
  add_data(calendar_import);
  fs::path calendar_file;
  calendar_import->add_option("FILE", calendar_file, "calendar JSON (docs/workflow.md, R16)")->required();
  auto* calendar_show = calendar->add_subcommand("show", "the calendar in use");
  add_data(calendar_show);
  calendar_show->add_flag("--json", as_json, "machine-readable output");
  auto* backup = app.add_subcommand("backup", "copy the store to a file, safely, even while serving");
  add_data(backup);
  fs::path backup_to;
  backup->add_option("--to", backup_to, "the backup file to write (encrypted with the store key)")->required();

  auto* restore = app.add_subcommand("restore", "replace the store with a backup (stop the server first)");
  add_data(restore);
  fs::path restore_from;
  restore->add_option("--from", restore_from, "a backup written by psm-server backup")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  policy.token_lifetime = std::chrono::milliseconds(static_cast<std::int64_t>(token_days * 24 * 3600 * 1000));
  try {
    if (auto rc = run_security_command(security)) return *rc;
    if (*init) return cmd_init(data, hostnames);
    if (*serve) return cmd_serve(data, listen, metrics_listen, max_before_sign_in_per_address, policy, check_store);
    if (*user_add) return cmd_user_add(data, username, role, name, person_id, password_stdin);
    if (*import) return cmd_import(data, file);
    if (*device_list) return cmd_devices(data, as_json);
    if (*device_revoke) return cmd_revoke(data, device_id);
    if (*escalate) return cmd_escalate(data, today);
    if (*report_cmd) return cmd_report(data, report_request, today);
    if (*calendar_import) return cmd_calendar(data, calendar_file, false);
    if (*calendar_show) return cmd_calendar(data, {}, as_json);
    if (*backup) return cmd_backup(data, backup_to);
    if (*restore) return cmd_restore(data, restore_from);
  } catch (const std::exception& e) {
    std::cerr << "psm-server: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitUsage;
}

}  // namespace psm::server
