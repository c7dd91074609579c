// Whether the server has what this device did to a record: the one rule both
// front ends show next to each record (the CLI's listings and their --json
// `sync_state`, the app's `sync` object), so they cannot disagree.
//
// The rule, in order:
//   1. an open conflict about the record: attention ("changed on two devices
//      at the same time: choose which to keep");
//   2. else the newest operation of this device that created or changed the
//      record decides: queued → waiting; sent → sent; refused (rejected) →
//      attention, with the server's reason; accepted, or accepted with a
//      conflict since settled → accepted;
//   3. no such operation: accepted.
// Same thread rules as Replica; reads it, never writes.
#pragma once

#include "client/replica/replica.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace psm::client::views {

enum class SyncState {
  waiting,    // saved on this device, waiting to send
  sent,       // sent, waiting for the server's answer
  accepted,   // the server has it (or this device did nothing to it)
  attention,  // refused, or changed on two devices at once: the person must act
};

struct RecordSync {
  SyncState state = SyncState::accepted;
  std::string reason;  // for attention: why, in words for the person; else ""
};

// The sync state of every record, read from the replica once (its outbox and
// its conflicts) when constructed; later changes are not seen.
class SyncStates {
 public:
  explicit SyncStates(Replica& r);
  RecordSync of(std::string_view collection, std::string_view id) const;

 private:
  std::map<std::pair<std::string, std::string>, RecordSync> newest_;  // by the newest operation on the record
  std::set<std::pair<std::string, std::string>> open_conflicts_;
};

// The CLI's words (docs/cli.md): "waiting to send", "sent", "synced", "needs attention".
std::string_view sync_state_words(SyncState state);
// The app's object: {"state": "waiting" | "sent" | "accepted" | "attention", "reason"}.
boost::json::object sync_json(const RecordSync& sync);
// How many things on this device need the person: refused operations and open conflicts.
std::size_t needs_attention_count(Replica& r);

}  // namespace psm::client::views
