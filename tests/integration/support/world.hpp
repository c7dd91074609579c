// A whole sync world in one process: a real encrypted server store with
// reference data and accounts, and any number of devices with real encrypted
// replicas, connected by the loopback transport.
#pragma once

#include "client/replica/replica.hpp"
#include "client/sync/sync_engine.hpp"
#include "server/server.hpp"
#include "server/store/server_store.hpp"
#include "server/sync/receipts.hpp"
#include "server/sync/sync_service.hpp"
#include "support/loopback.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

namespace psm::testing {

// Two households, three placements, the professionals around them.
inline constexpr std::string_view kReferenceJson = R"json({
  "people": [
    {"id": "carer-1", "name": "Jo Okafor", "role": "foster-carer"},
    {"id": "carer-2", "name": "Sam Reid", "role": "foster-carer"},
    {"id": "csw-1", "name": "Priya Shah", "role": "child-social-worker"},
    {"id": "csw-2", "name": "Tom Hughes", "role": "child-social-worker"},
    {"id": "ssw-1", "name": "Alex Morgan", "role": "supervising-social-worker"},
    {"id": "ftm-1", "name": "Lee Walsh", "role": "fostering-team-manager"},
    {"id": "clatm-1", "name": "Kim Evans", "role": "cla-team-manager"},
    {"id": "iro-1", "name": "Ruth Ahmed", "role": "iro"},
    {"id": "sm-1", "name": "Dana Price", "role": "service-manager", "service": "fostering"},
    {"id": "lado-1", "name": "Chris Doyle", "role": "lado"},
    {"id": "panel-1", "name": "Sasha Grant", "role": "panel-member"},
    {"id": "mt-1", "name": "Mina Taylor", "role": "minute-taker"}
  ],
  "households": [
    {"id": "h1", "name": "The Okafor household", "carer_type": "foster", "carer_ids": ["carer-1"], "ssw_id": "ssw-1"},
    {"id": "h2", "name": "The Reid household", "carer_type": "connected-person", "carer_ids": ["carer-2"], "ssw_id": "ssw-1"}
  ],
  "children": [
    {"id": "c1", "name": "Amelia-Test-Child", "date_of_birth": "2013-05-02", "social_worker_id": "csw-1", "iro_id": "iro-1"},
    {"id": "c2", "name": "Bilal-Test-Child", "date_of_birth": "2015-09-14", "social_worker_id": "csw-2", "iro_id": "iro-1"},
    {"id": "c3", "name": "Cara-Test-Child", "date_of_birth": "2011-01-30", "social_worker_id": "csw-1", "iro_id": "iro-1"}
  ],
  "placements": [
    {"id": "p1", "child_id": "c1", "household_id": "h1", "type": "in-house", "start_date": "2025-03-01", "team_manager_id": "ftm-1"},
    {"id": "p2", "child_id": "c2", "household_id": "h2", "type": "ifa", "start_date": "2024-10-11", "team_manager_id": "clatm-1"},
    {"id": "p3", "child_id": "c3", "household_id": "h1", "type": "in-house", "start_date": "2026-01-05", "team_manager_id": "ftm-1"}
  ]
})json";

struct Device {
  std::string username;
  TempDir home;
  std::unique_ptr<client::Replica> replica;
};

class World {
 public:
  explicit World(server::SyncService::Clock clock = model::HlcClock::system_now_millis,
                 server::ServerPolicy policy = {}) {
    auto store = server::ServerStore::create(server::DataPaths(server_dir_.path / "data"));
    EXPECT_TRUE(psm::testing::succeeded(store));
    EXPECT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, kReferenceJson)));
    for (const auto& [user, role] :
         std::initializer_list<std::pair<const char*, model::Role>>{{"carer-1", model::Role::foster_carer},
                                                                    {"carer-2", model::Role::foster_carer},
                                                                    {"csw-1", model::Role::child_social_worker},
                                                                    {"csw-2", model::Role::child_social_worker},
                                                                    {"ssw-1", model::Role::supervising_social_worker},
                                                                    {"ftm-1", model::Role::fostering_team_manager},
                                                                    {"clatm-1", model::Role::cla_team_manager},
                                                                    {"iro-1", model::Role::iro},
                                                                    {"panel-1", model::Role::panel_member}}) {
      server::Account a{user, user, role, user, {}};
      EXPECT_TRUE(psm::testing::succeeded(server::add_user(**store, a, kPassword, crypto::kScryptTest)));
    }
    // The server psm-server serve builds, without the network: devices reach
    // its sessions through the loopback, and its store work runs on this
    // thread (deterministic; the test may read the store between syncs).
    server::ServerOptions options;
    options.data = server_dir_.path / "data";
    options.store = std::move(*store);
    options.clock = std::move(clock);
    options.policy = policy;
    options.network = false;
    options.store_thread = false;
    server_ = std::make_unique<server::Server>(std::move(options));
    auto failure = server_->start();
    EXPECT_FALSE(failure) << (failure ? failure->detail : "");
    // Signed receipts, as psm-server serve gives them (it made the key).
    auto keys = server::ReceiptKeys::load_or_create(data_paths());
    EXPECT_TRUE(psm::testing::succeeded(keys));
    if (keys) receipt_keys_ = *keys;
  }

  server::DataPaths data_paths() const { return server::DataPaths(server_dir_.path / "data"); }
  // The keys the server signs receipts with.
  const server::ReceiptKeys& receipt_keys() const { return *receipt_keys_; }

  static constexpr std::string_view kPassword = "correct horse battery";

  std::unique_ptr<Device> enrol(const std::string& username) {
    auto d = std::make_unique<Device>();
    d->username = username;
    auto replica = client::Replica::create(client::HomePaths(d->home.path), "device passphrase", crypto::kScryptTest);
    EXPECT_TRUE(replica);
    d->replica = std::move(*replica);
    LoopbackTransport t(*server_);
    auto err = client::enrol_device(*d->replica, t, username, std::string(kPassword), username + "-laptop");
    EXPECT_FALSE(err) << (err ? err->message : "");
    EXPECT_FALSE(sync(*d));
    return d;
  }

  std::optional<Error> sync(Device& d, client::SyncReport* report = nullptr) {
    LoopbackTransport t(*server_);
    client::SyncReport r;
    auto err = client::sync_once(*d.replica, t, r);
    if (report) *report = r;
    return err;
  }

  server::Server& server() { return *server_; }
  // The store thread is this thread: the service may be used directly.
  server::SyncService& service() { return server_->service(); }
  // The store through its interface (server/store/store.hpp), as the service
  // uses it: what tests read or change here any backend would serve.
  server::Store& store() { return service().backend(); }

 private:
  TempDir server_dir_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<const server::ReceiptKeys> receipt_keys_;
};

}  // namespace psm::testing
