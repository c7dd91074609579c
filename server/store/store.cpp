#include "server/store/store.hpp"

namespace psm::server {

UnitOfWork::~UnitOfWork() {
  if (store_) store_->rollback_work(kind_);
}

void UnitOfWork::commit() {
  if (!store_) return;
  store_->commit_work(kind_);  // throws: still open, rolled back by the destructor
  store_ = nullptr;
}

void UnitOfWork::rollback() {
  if (!store_) return;
  Store* store = store_;
  store_ = nullptr;
  store->rollback_work(kind_);
}

UnitOfWork Store::begin(WorkKind kind) {
  begin_work(kind);
  return UnitOfWork(*this, kind);
}

void Store::commit_without_fsync(const std::function<void()>& work) {
  auto unit = begin(WorkKind::bookkeeping);
  work();
  unit.commit();
}

policy::ReferenceData Store::load_reference_data() {
  policy::ReferenceData ref;
  for (auto c : {model::collection::kPeople, model::collection::kHouseholds, model::collection::kChildren,
                 model::collection::kPlacements}) {
    for (const auto& rec : all_in(c)) ref.upsert(rec);
  }
  return ref;
}

}  // namespace psm::server
