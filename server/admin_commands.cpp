#include "server/admin_commands.hpp"

#include "common/crypto/pin.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/calendar.hpp"
#include "server/net/tls.hpp"
#include "server/sync/receipts.hpp"

#include <pwd.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <iostream>

namespace psm::server {

namespace {

std::string operating_system_user() {
  if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(::geteuid());
}

int open_failed(const std::string& detail, error_code ec) { return store_open_failed(detail, ec); }

int cmd_audit_verify(const std::filesystem::path& data) {
  auto store = ServerStore::open(DataPaths(data));
  if (!store) return open_failed(store.error().message, store.error().code);
  const auto v = (*store)->audit().verify();
  if (!v.ok) {
    std::cout << "audit trail BROKEN at entry " << v.first_bad_seq << ": " << v.problem << " (" << v.entries
              << " entries before it check out)\n";
    return 1;
  }
  std::cout << "audit trail intact: " << v.entries << " entries; head " << v.head_hash
            << "\n(record this head elsewhere: a later verify shows the trail still leads to it)\n";
  return 0;
}

int cmd_audit_show(const std::filesystem::path& data, const AuditFilter& filter, bool as_json) {
  auto store = ServerStore::open(DataPaths(data));
  if (!store) return open_failed(store.error().message, store.error().code);
  const auto entries = (*store)->audit().query(filter);
  if (as_json) {
    boost::json::array out;
    for (const auto& e : entries) {
      out.push_back({{"seq", e.seq},
                     {"server_time", policy::format_utc(e.server_time_ms)},
                     {"device_time", e.device_time_ms ? policy::format_utc(e.device_time_ms) : ""},
                     {"kind", e.kind},
                     {"user", e.username},
                     {"device", e.device_id},
                     {"address", e.address},
                     {"children", e.children},
                     {"detail", e.detail},
                     {"hash", e.hash}});
    }
    std::cout << boost::json::serialize(out) << "\n";
    return 0;
  }
  if (entries.empty()) std::cout << "no matching audit entries\n";
  for (const auto& e : entries) {
    std::cout << e.seq << "  " << policy::format_utc(e.server_time_ms) << "  " << e.kind << "  "
              << (e.username.empty() ? "-" : e.username) << "  " << (e.device_id.empty() ? "-" : e.device_id);
    if (!e.address.empty()) std::cout << "  from " << e.address;
    if (e.device_time_ms) std::cout << "  (device clock " << policy::format_utc(e.device_time_ms) << ")";
    if (!e.children.empty()) std::cout << "  children: " << e.children;
    std::cout << "\n    " << e.detail << "\n";
  }
  return 0;
}

std::string days_from_now(std::int64_t unix_seconds) {
  const auto now = static_cast<std::int64_t>(model::HlcClock::system_now_millis() / 1000);
  const auto days = (unix_seconds - now) / 86400;
  return unix_seconds < now ? "expired" : "in " + std::to_string(days) + " day" + (days == 1 ? "" : "s");
}

int cmd_cert_show(const std::filesystem::path& data, bool as_json) {
  const auto cert = DataPaths(data).tls_dir() / net::kServerCertFile;
  auto info = net::read_certificate_info(cert);
  if (!info) {
    std::cerr << "psm-server: cannot read the server certificate " << cert.string() << "\n";
    return kExitData;
  }
  const auto pin = crypto::public_key_pin_of_pem_file(cert);
  const auto at = [](std::int64_t s) { return policy::format_utc(static_cast<std::uint64_t>(s) * 1000); };
  if (as_json) {
    boost::json::array names;
    for (const auto& n : info->names) names.push_back(boost::json::string(n));
    boost::json::object o{{"file", cert.string()},
                          {"subject", info->subject},
                          {"issuer", info->issuer},
                          {"names", names},
                          {"not_before", at(info->not_before)},
                          {"not_after", at(info->not_after)},
                          {"pin", pin ? *pin : std::string()}};
    std::cout << boost::json::serialize(o) << "\n";
    return kExitOk;
  }
  std::string names;
  for (const auto& n : info->names) names += (names.empty() ? "" : ", ") + n;
  std::cout << "certificate " << cert.string() << "\n"
            << "  subject:     " << info->subject << " (issued by " << info->issuer << ")\n"
            << "  names:       " << names << "\n"
            << "  valid from:  " << at(info->not_before) << "\n"
            << "  valid until: " << at(info->not_after) << " (" << days_from_now(info->not_after)
            << "; renew with psm-server cert renew)\n"
            << "  key pin:     " << (pin ? *pin : std::string("?")) << "\n";
  return kExitOk;
}

int cmd_cert_renew(const std::filesystem::path& data, bool new_key) {
  const DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return open_failed(store.error().message, store.error().code);
  const auto cert = paths.tls_dir() / net::kServerCertFile;
  const auto old_pin = crypto::public_key_pin_of_pem_file(cert);
  if (auto renewed = net::renew_server_certificate(paths.tls_dir(), new_key); !renewed) {
    const error_code ec = renewed.error().code;
    std::cerr << "psm-server: the certificate was not renewed, nothing changed: " << renewed.error().message << "\n";
    return ec == Errc::not_found || ec == Errc::invalid_argument ? kExitData : kExitFailure;
  }
  auto info = net::read_certificate_info(cert);
  const auto pin = crypto::public_key_pin_of_pem_file(cert);
  const std::string until =
      info ? policy::format_utc(static_cast<std::uint64_t>(info->not_after) * 1000) : std::string("?");
  audit_admin_action(**store, std::string("renewed the server certificate") + (new_key ? " with a new key" : "") +
                                  "; valid until " + until);
  std::cout << "renewed " << cert.string() << ": valid until " << until << "\n";
  if (new_key) {
    std::cout << "new key: its pin is " << (pin ? *pin : std::string("?")) << "; devices enrolled with --pin "
              << (old_pin ? *old_pin : std::string("?"))
              << " no longer accept this server: give them the new pin first (docs/operations.md)\n";
  } else {
    std::cout << "same key: the pin is unchanged (" << (pin ? *pin : std::string("?")) << ")\n";
  }
  std::cout << "restart psm-server serve to present it (devices trust the same CA, "
            << (paths.tls_dir() / net::kCaCertFile).string() << ")\n";
  return kExitOk;
}

int cmd_pin(const std::filesystem::path& data) {
  const auto cert = DataPaths(data).tls_dir() / net::kServerCertFile;
  auto pin = crypto::public_key_pin_of_pem_file(cert);
  if (!pin) {
    std::cerr << "psm-server: cannot read the server certificate " << cert.string() << "\n";
    return 3;
  }
  std::cout << *pin << "\n";
  return 0;
}

int cmd_rekey(const std::filesystem::path& data) {
  const DataPaths paths(data);
  if (auto rotated = ServerStore::rotate_key(paths); !rotated) {
    std::cerr << "psm-server: key rotation failed, nothing changed unless said: " << rotated.error().message << "\n";
    return rotated.error().code == Errc::busy ? 1 : 3;
  }
  auto store = ServerStore::open(paths);
  if (!store) return open_failed(store.error().message, store.error().code);
  audit_admin_action(**store, "rotated the store key");
  std::cout << "the store is now encrypted under a new key in " << paths.key().string()
            << "; backups taken before now still need the old key\n";
  return 0;
}

// Prints the public keys receipts are signed with (PEM, current first), so
// anyone can check a receipt with openssl; --rotate first makes a new key.
int cmd_receipt_key(const std::filesystem::path& data, bool rotate) {
  const DataPaths paths(data);
  auto store = ServerStore::open(paths);
  if (!store) return open_failed(store.error().message, store.error().code);
  if (rotate) {
    auto key_id = ReceiptKeys::rotate(paths);
    if (!key_id) {
      const error_code ec = key_id.error().code;
      std::cerr << "psm-server: receipt key rotation failed: " << key_id.error().message << "\n";
      return ec == Errc::permission_denied || ec == Errc::corrupt_data ? 3 : 1;
    }
    audit_admin_action(**store, "rotated the receipt key; new key " + *key_id);
    std::cerr << "new receipt key " << *key_id << "; restart psm-server serve to sign with it\n";
  }
  bool created = false;
  auto keys = ReceiptKeys::load_or_create(paths, &created);
  if (!keys) return open_failed(keys.error().message, keys.error().code);
  if (created) audit_admin_action(**store, "created receipt key " + (*keys)->signing_key().key_id());
  for (const auto& pem : (*keys)->public_pems()) std::cout << pem;
  return 0;
}

}  // namespace

void add_security_commands(CLI::App& app, SecurityCommands& c) {
  auto* audit = app.add_subcommand("audit", "check or read the audit trail");
  audit->require_subcommand(1);
  c.audit_verify = audit->add_subcommand("verify", "check that no audit entry was changed or removed");
  c.audit_verify->add_option("--data", c.data, "server data directory")->required();
  c.audit_show = audit->add_subcommand("show", "list audit entries, oldest first");
  c.audit_show->add_option("--data", c.data, "server data directory")->required();
  c.audit_show->add_option("--child", c.filter.child_id, "only entries about this child (id)");
  c.audit_show->add_option("--user", c.filter.username, "only this user's entries");
  c.audit_show->add_option("--device", c.filter.device_id, "only this device's entries");
  c.audit_show->add_option("--last", c.filter.limit, "only the newest N matching entries");
  c.audit_show->add_flag("--json", c.as_json, "machine-readable output");
  c.pin = app.add_subcommand("pin", "print the pin of the server's TLS key, for psm enrol --pin");
  c.pin->add_option("--data", c.data, "server data directory")->required();
  c.rekey = app.add_subcommand("rekey", "re-encrypt the store under a new key (stop the server first)");
  c.rekey->add_option("--data", c.data, "server data directory")->required();
  c.receipt_key = app.add_subcommand(
      "receipt-key", "print the public key(s) receipts are signed with (PEM, current first), to check receipts");
  c.receipt_key->add_option("--data", c.data, "server data directory")->required();
  c.receipt_key->add_flag("--rotate", c.rotate,
                          "first make a new signing key; old public keys are kept so old receipts still verify");
  auto* cert = app.add_subcommand("cert", "the server's TLS certificate: show it, renew it");
  cert->require_subcommand(1);
  c.cert_show = cert->add_subcommand("show", "names, validity and key pin of the server certificate");
  c.cert_show->add_option("--data", c.data, "server data directory")->required();
  c.cert_show->add_flag("--json", c.as_json, "machine-readable output");
  c.cert_renew = cert->add_subcommand(
      "renew", "a new server certificate from the local CA, same names, same key (restart serve to use it)");
  c.cert_renew->add_option("--data", c.data, "server data directory")->required();
  c.cert_renew->add_flag("--new-key", c.new_key,
                         "also make a new key (devices enrolled with --pin must be given the new pin)");
}

std::optional<int> run_security_command(const SecurityCommands& c) {
  if (c.audit_verify && *c.audit_verify) return cmd_audit_verify(c.data);
  if (c.audit_show && *c.audit_show) return cmd_audit_show(c.data, c.filter, c.as_json);
  if (c.pin && *c.pin) return cmd_pin(c.data);
  if (c.rekey && *c.rekey) return cmd_rekey(c.data);
  if (c.receipt_key && *c.receipt_key) return cmd_receipt_key(c.data, c.rotate);
  if (c.cert_show && *c.cert_show) return cmd_cert_show(c.data, c.as_json);
  if (c.cert_renew && *c.cert_renew) return cmd_cert_renew(c.data, c.new_key);
  return std::nullopt;
}

int store_open_failed(const std::string& detail, error_code ec) {
  std::cerr << "psm-server: " << (detail.empty() ? ec.message() : detail) << "\n";
  if (ec == StoreErrc::store_missing) return kExitStoreMissing;
  if (ec == StoreErrc::store_damaged) return kExitStoreDamaged;
  return ec == Errc::not_found || ec == Errc::permission_denied || ec == Errc::already_exists ||
                 ec == Errc::wrong_passphrase || ec == Errc::corrupt_data
             ? kExitData
             : kExitFailure;
}

void audit_admin_action(Store& store, std::string detail, std::string children) {
  AuditEntry e;
  e.server_time_ms = model::HlcClock::system_now_millis();
  e.kind = "admin";
  e.username = operating_system_user();
  e.device_id = "admin";
  e.address = "local";
  e.children = std::move(children);
  e.detail = std::move(detail);
  store.audit().append(std::move(e));
}

}  // namespace psm::server
