// Fuzz target for the reference data importer: any text either imports or is
// refused with a detail naming what is wrong. It runs against one real
// (encrypted, on-disk) server store, created once; after each successful
// import the records are deleted again so every input starts from an empty
// store and a crash reproduces from its input alone.
#include "server/store/server_store.hpp"
#include "server/sync/sync_service.hpp"
#include "testing/temp_dir.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace {

struct Fixture {
  Fixture() {
    auto created = psm::server::ServerStore::create(psm::server::DataPaths(dir.path / "data"));
    if (!created) __builtin_trap();
    store = std::move(*created);
  }
  psm::testing::TempDir dir;  // declared first: destroyed after the store is closed
  std::unique_ptr<psm::server::ServerStore> store;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  auto imported =
      psm::server::import_reference_data(*fixture.store, std::string_view(reinterpret_cast<const char*>(data), size));
  if (!imported) {
    if (imported.error().message.empty()) __builtin_trap();
    return 0;
  }
  // The fuzz harness is the one place outside the store that resets it; the
  // store has no "delete everything" because nothing else should.
  if (*imported > 0) fixture.store->database().exec("DELETE FROM records");
  return 0;
}
