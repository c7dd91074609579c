// psm-store-check-bench: what the integrity check at `psm-server serve` costs
// on a large store (docs/operations.md, "Starting: the store is checked").
//
//   psm-store-check-bench --data DIR --records 1000000
//
// Fills a new store in DIR with that many records of typical size (~500
// bytes encoded, tests/bench/support/workload.hpp) unless DIR already holds
// one, closes it cleanly, then times opening it three ways: the schema only
// (what admin commands do), the full page-by-page check (PRAGMA quick_check,
// what serve does after a crash or a change), and serve's rule after a clean
// close (the check skipped). The store is left in DIR; delete it afterwards.
#include "server/store/server_store.hpp"

#include "common/store/transaction.hpp"
#include "support/workload.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace {

namespace fs = std::filesystem;
using namespace psm;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Opens with `check` and returns the time it took (the store is closed again before returning).
double timed_open(const server::DataPaths& paths, server::StoreCheck check, bool& checked) {
  const auto start = std::chrono::steady_clock::now();
  auto store = server::ServerStore::open(paths, check, &checked);
  const double elapsed = seconds_since(start);
  if (!store) throw std::runtime_error("open: " + store.error().message);
  return elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"time the store integrity check psm-server serve runs at start"};
  fs::path data;
  std::size_t records = 1'000'000;
  app.add_option("--data", data, "directory for the store (made if missing)")->required();
  app.add_option("--records", records, "records to fill a new store with");
  CLI11_PARSE(app, argc, argv);

  const server::DataPaths paths(data);
  try {
    if (!fs::exists(paths.store())) {
      auto store = server::ServerStore::create(paths);
      if (!store) throw std::runtime_error("create: " + store.error().message);
      const auto start = std::chrono::steady_clock::now();
      constexpr std::size_t kBatch = 5000;
      for (std::size_t done = 0; done < records;) {
        store::Transaction tx((*store)->database());
        for (std::size_t i = 0; i < kBatch && done < records; ++i, ++done) {
          auto r = bench::view_record(done);
          r.scope = model::scope::placement("elsewhere-" + std::to_string(done % 500));
          (*store)->put(r);
        }
        tx.commit();
      }
      std::printf("filled %zu records in %.1f s\n", records, seconds_since(start));
    }
    std::printf("store: %.1f MiB\n", static_cast<double>(fs::file_size(paths.store())) / (1024.0 * 1024.0));
    bool checked = false;
    // Cold-ish first: the file was just written, so it is in the page cache either way.
    const double full = timed_open(paths, server::StoreCheck::full, checked);
    std::printf("open with the full check (quick_check): %.2f s (checked: %s)\n", full, checked ? "yes" : "no");
    const double full_again = timed_open(paths, server::StoreCheck::full, checked);
    std::printf("open with the full check, again:        %.2f s\n", full_again);
    const double skipped = timed_open(paths, server::StoreCheck::unless_closed_clean, checked);
    std::printf("open after a clean close (serve's rule): %.3f s (checked: %s)\n", skipped, checked ? "yes" : "no");
    const double schema = timed_open(paths, server::StoreCheck::none, checked);
    std::printf("open, schema only (admin commands):     %.3f s\n", schema);
  } catch (const std::exception& e) {
    std::cerr << "psm-store-check-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
