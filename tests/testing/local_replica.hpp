// A device's encrypted replica for view tests: a real SQLCipher file in `dir`,
// signed in as `person_id` holding `role`, with no server behind it.
#pragma once

#include "client/replica/replica.hpp"
#include "common/crypto/kdf.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace psm::testing {

inline std::unique_ptr<client::Replica> local_replica(const std::filesystem::path& dir, const std::string& person_id,
                                                      const std::string& role) {
  auto r = client::Replica::create(client::HomePaths(dir), "a passphrase", crypto::kScryptTest);
  EXPECT_TRUE(r);
  if (!r) return nullptr;
  auto replica = std::move(*r);
  replica->set_meta("device_id", "device-1");
  replica->set_meta("person_id", person_id);
  replica->set_meta("role", role);
  return replica;
}

}  // namespace psm::testing
