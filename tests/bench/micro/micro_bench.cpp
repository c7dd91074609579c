// Micro-benchmarks of the hot paths every sync goes through: the codec, the
// field merge, the HLC, apply() (pure, and with its writes into the server's
// encrypted store), signing and checking a push batch's receipt, and deadline
// computation over the working-day calendar.
//
// Run: psm_micro_bench [--benchmark_min_time=0.01s] (CI runs it once, small).
#include "common/crypto/signature.hpp"
#include "common/merge/merge.hpp"
#include "common/model/hlc.hpp"
#include "common/ops/apply.hpp"
#include "common/policy/deadlines.hpp"
#include "common/protocol/codec.hpp"
#include "common/protocol/receipt.hpp"
#include "common/store/transaction.hpp"
#include "server/store/server_store.hpp"
#include "server/sync/sync_service.hpp"
#include "support/workload.hpp"
#include "testing/memory_state.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace psm::bench {
namespace {

namespace fs = std::filesystem;

// A scratch directory removed when the benchmark ends.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "psm-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// --- codec

void BM_EncodePushRequest(benchmark::State& state) {
  protocol::PushRequest push;
  for (std::uint64_t i = 1; i <= static_cast<std::uint64_t>(state.range(0)); ++i) {
    push.ops.push_back(view_operation("device-1", i, "meeting-1"));
  }
  const protocol::Message message = push;
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto encoded = protocol::encode(message);
    bytes = encoded.size();
    benchmark::DoNotOptimize(encoded);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_EncodePushRequest)->Arg(1)->Arg(500);

void BM_DecodePushRequest(benchmark::State& state) {
  protocol::PushRequest push;
  for (std::uint64_t i = 1; i <= static_cast<std::uint64_t>(state.range(0)); ++i) {
    push.ops.push_back(view_operation("device-1", i, "meeting-1"));
  }
  const std::string encoded = protocol::encode(push);
  for (auto _ : state) {
    auto decoded = protocol::decode(encoded);
    if (!decoded) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(encoded.size()));
}
BENCHMARK(BM_DecodePushRequest)->Arg(1)->Arg(500);

void BM_EncodePullResponse(benchmark::State& state) {
  protocol::PullResponse pull;
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(state.range(0)); ++i) pull.records.push_back(view_record(i));
  const protocol::Message message = pull;
  for (auto _ : state) {
    auto encoded = protocol::encode(message);
    benchmark::DoNotOptimize(encoded);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EncodePullResponse)->Arg(1000);

void BM_DecodePullResponse(benchmark::State& state) {
  protocol::PullResponse pull;
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(state.range(0)); ++i) pull.records.push_back(view_record(i));
  const std::string encoded = protocol::encode(pull);
  for (auto _ : state) {
    auto decoded = protocol::decode(encoded);
    if (!decoded) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(encoded.size()));
}
BENCHMARK(BM_DecodePullResponse)->Arg(1000);

void BM_EncodeDecodeRecord(benchmark::State& state) {
  const auto record = view_record(1);
  for (auto _ : state) {
    auto bytes = protocol::encode_record(record);
    auto back = protocol::decode_record(bytes);
    benchmark::DoNotOptimize(back);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeDecodeRecord);

// --- merge

void BM_MergeFields(benchmark::State& state) {
  model::Record action;
  action.collection = "actions";
  action.id = "action-1";
  action.scope = "placement:p1";
  const model::Version old_version{model::Hlc::from(1000, 0), "device-a"};
  for (const char* f : {"text", "due_date", "owner_id", "status", "meeting_id"})
    action.set(f, "old value", old_version, "csw-1");
  const std::map<std::string, std::string> changes{{"text", "new text"}, {"due_date", "2026-12-01"}};
  // The writer saw an older version than the stored one: a conflict per field
  // when `range(0)` is 1, a clean overwrite when 0.
  std::map<std::string, model::Version> base;
  const model::Version seen = state.range(0) ? model::Version{model::Hlc::from(999, 0), "device-b"} : old_version;
  for (const auto& [field, value] : changes) base[field] = seen;
  const merge::Write write{{model::Hlc::from(2000, 0), "device-b"}, "ssw-1", 2000, "op-1"};
  for (auto _ : state) {
    auto merged = merge::merge_fields(action, changes, base, write);
    benchmark::DoNotOptimize(merged);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MergeFields)->Arg(0)->Arg(1)->ArgName("conflict");

// --- HLC

void BM_HlcTick(benchmark::State& state) {
  model::HlcClock clock;
  for (auto _ : state) benchmark::DoNotOptimize(clock.tick());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HlcTick);

void BM_HlcObserveAndClamp(benchmark::State& state) {
  model::HlcClock clock;
  const auto now = model::HlcClock::system_now_millis();
  std::uint64_t i = 0;
  for (auto _ : state) {
    const auto incoming = model::clamp_to_server(model::Hlc::from(now + (i++ % 1000), 3), now, 300'000);
    clock.observe(incoming);
    benchmark::DoNotOptimize(clock.last());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HlcObserveAndClamp);

// --- apply()

// Reference data imported exactly as the server imports it, then copied into
// memory so the pure rule cost is measured without storage.
struct ApplyWorld {
  ScratchDir dir;
  std::unique_ptr<server::ServerStore> store;
  testing::MemoryState memory;
  std::string meeting_id = model::new_uuid_v7();

  ApplyWorld() {
    auto created = server::ServerStore::create(server::DataPaths(dir.path / "data"));
    if (!created) throw std::runtime_error("store: " + created.error().message);
    store = std::move(*created);
    if (auto imported = server::import_reference_data(*store, kReferenceJson); !imported) {
      throw std::runtime_error("import: " + imported.error().message);
    }
    for (auto c : {model::collection::kPeople, model::collection::kHouseholds, model::collection::kChildren,
                   model::collection::kPlacements, model::collection::kSettings}) {
      for (const auto& r : store->all_in(c)) memory.add(r);
    }
    ops::Operation request;
    request.op_id = model::new_uuid_v7();
    request.device_id = "device-1";
    request.seq = 1;
    request.hlc = model::Hlc::from(model::HlcClock::system_now_millis(), 0);
    request.author_id = "csw-1";
    request.payload = ops::RequestMeeting{meeting_id, std::string(kPlacement), model::MeetingType::support, "bench", 0};
    auto outcome = ops::apply(memory, request, context());
    if (!outcome.ok()) throw std::runtime_error("request meeting: " + outcome.reason);
    memory.apply_writes(outcome);
    store::Transaction tx(store->database());
    for (const auto& w : outcome.writes) store->put(w);
    tx.commit();
  }
  ops::ApplyContext context() const {
    return {{"csw-1", model::Role::child_social_worker}, model::HlcClock::system_now_millis(), [](std::string_view) {
              return true;
            }};
  }
};

void BM_ApplyRequestMeeting(benchmark::State& state) {
  ApplyWorld world;
  const auto ctx = world.context();
  std::uint64_t seq = 2;
  for (auto _ : state) {
    ops::Operation op;
    op.op_id = model::new_uuid_v7();
    op.device_id = "device-1";
    op.seq = seq++;
    op.hlc = model::Hlc::from(ctx.now_ms, 0);
    op.payload = ops::RequestMeeting{model::new_uuid_v7(), std::string(kPlacement), model::MeetingType::support,
                                     "needs support", 0};
    auto outcome = ops::apply(world.memory, op, ctx);
    if (!outcome.ok()) state.SkipWithError(outcome.reason.c_str());
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyRequestMeeting);

void BM_ApplyRecordView(benchmark::State& state) {
  ApplyWorld world;
  const auto ctx = world.context();
  std::uint64_t seq = 2;
  for (auto _ : state) {
    auto op = view_operation("device-1", seq++, world.meeting_id);
    auto outcome = ops::apply(world.memory, op, ctx);
    if (!outcome.ok()) state.SkipWithError(outcome.reason.c_str());
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyRecordView);

// apply() against the server's encrypted store plus its writes and ledger row,
// `range(0)` operations per transaction (a push batch), without the network.
void BM_ApplyIntoServerStore(benchmark::State& state) {
  ApplyWorld world;
  const auto ctx = world.context();
  std::uint64_t seq = 2;
  const auto batch = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    store::Transaction tx(world.store->database());
    for (std::uint64_t i = 0; i < batch; ++i) {
      auto op = view_operation("device-1", seq++, world.meeting_id);
      if (world.store->find_applied(op.op_id)) state.SkipWithError("duplicate op id");
      auto outcome = ops::apply(*world.store, op, ctx);
      if (!outcome.ok()) state.SkipWithError(outcome.reason.c_str());
      for (const auto& w : outcome.writes) world.store->put(w);
      world.store->record_applied(op, {op.op_id, 0, 0, {}}, ctx.now_ms);
    }
    tx.commit();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
// Wall-clock rate: the commit's fsync is most of the cost and uses no CPU.
BENCHMARK(BM_ApplyIntoServerStore)->Arg(1)->Arg(500)->Unit(benchmark::kMillisecond)->UseRealTime();

// --- receipts (docs/security.md): what a push batch pays for its signed receipt

// The per-operation part: hashing each operation as sent (encode + SHA-256)
// and writing its statement line, for a batch of range(0) operations.
void BM_ReceiptEntries(benchmark::State& state) {
  std::vector<ops::Operation> batch;
  for (std::uint64_t i = 1; i <= static_cast<std::uint64_t>(state.range(0)); ++i) {
    batch.push_back(view_operation("device-1", i, "meeting-1"));
  }
  for (auto _ : state) {
    std::vector<protocol::ReceiptEntry> entries;
    entries.reserve(batch.size());
    for (const auto& op : batch) entries.push_back(protocol::receipt_entry_for(op, "c1", 1'764'000'000'000ull));
    benchmark::DoNotOptimize(entries);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ReceiptEntries)->Arg(500);

// The per-batch part: one Ed25519 signature over a statement of range(0)
// operations (server), and its verification (device).
protocol::ReceiptStatement receipt_statement(std::size_t n) {
  protocol::ReceiptStatement s{"0011223344556677", 1'764'000'000'500ull, "carer-1", "device-1", {}};
  for (std::uint64_t i = 1; i <= n; ++i) {
    s.entries.push_back(
        protocol::receipt_entry_for(view_operation("device-1", i, "meeting-1"), "c1", 1'764'000'000'000ull));
  }
  return s;
}

void BM_ReceiptSign(benchmark::State& state) {
  const auto key = crypto::SigningKey::generate();
  const auto statement = receipt_statement(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto text = protocol::encode_receipt_statement(statement).value();
    auto signature = key.sign(text);
    benchmark::DoNotOptimize(signature);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ReceiptSign)->Arg(1)->Arg(500);

void BM_ReceiptVerify(benchmark::State& state) {
  const auto key = crypto::SigningKey::generate();
  const auto text =
      protocol::encode_receipt_statement(receipt_statement(static_cast<std::size_t>(state.range(0)))).value();
  const auto signature = key.sign(text);
  for (auto _ : state) {
    bool ok = crypto::verify_signature(key.public_key(), text, signature) &&
              protocol::parse_receipt_statement(text).has_value();
    if (!ok) state.SkipWithError("receipt did not verify");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ReceiptVerify)->Arg(1)->Arg(500);

// --- deadlines (R2, R16)

void BM_MeetingDeadlineSupport(benchmark::State& state) {
  const auto& calendar = policy::default_calendar();
  std::uint64_t from = 1'767'225'600'000ULL;  // 2026-01-01
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy::meeting_deadline(model::MeetingType::support, from, calendar));
    from += 86'400'000ULL * 3 + 7;  // walk across the year, through bank holidays
    if (from > 1'798'761'600'000ULL) from = 1'767'225'600'000ULL;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MeetingDeadlineSupport);

void BM_WorkingDaysBetween(benchmark::State& state) {
  const auto& calendar = policy::default_calendar();
  const policy::Date from{std::chrono::year{2026}, std::chrono::month{1}, std::chrono::day{5}};
  const policy::Date to = std::chrono::sys_days{from} + std::chrono::days{state.range(0)};
  for (auto _ : state) benchmark::DoNotOptimize(policy::working_days_between(from, to, calendar));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WorkingDaysBetween)->Arg(30)->Arg(365);

}  // namespace
}  // namespace psm::bench

BENCHMARK_MAIN();
