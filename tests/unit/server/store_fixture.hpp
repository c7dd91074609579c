// A fresh, real encrypted server store in a temporary directory, for tests of
// what reads and writes it.
#pragma once

#include "server/store/server_store.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace psm::server {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = ServerStore::create(DataPaths(dir_.path));
    ASSERT_TRUE(psm::testing::succeeded(created));
    store_ = std::move(*created);
  }
  testing::TempDir dir_;
  std::unique_ptr<ServerStore> store_;
};

}  // namespace psm::server
