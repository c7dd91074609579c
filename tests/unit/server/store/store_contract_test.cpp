// The store contract (store_contract_test.hpp) for the SQLCipher store: real
// encrypted files in a temporary directory.
#include "store_contract_test.hpp"

#include "server/store/server_store.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

namespace psm::server::contract {
namespace {

struct SqlCipherBackend {
  // First call: a new store in a fresh data directory; later calls: another
  // connection to the same file, as another psm-server process opens it.
  std::unique_ptr<Store> open() {
    auto opened = created_ ? ServerStore::open(DataPaths(dir_.path)) : ServerStore::create(DataPaths(dir_.path));
    EXPECT_TRUE(psm::testing::succeeded(opened));
    if (!opened) return nullptr;
    created_ = true;
    return std::move(*opened);
  }
  testing::TempDir dir_;
  bool created_ = false;
};

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(SqlCipher, StoreContract, ::testing::Types<SqlCipherBackend>);

}  // namespace psm::server::contract
