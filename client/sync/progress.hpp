// The line a long sync shows while it runs: what was sent, what was received
// out of how many, the rate, and the time left. Pure text, so it is tested
// without a terminal.
#pragma once

#include "client/sync/sync_engine.hpp"

#include <string>

namespace psm::client {

// E.g. "received 41,000 of 100,000 records · 31,250 records/s · about 2 s left".
// `elapsed_seconds` is the time since the sync started. Before the first page
// (or from a server that does not say how many remain) the total is left out.
std::string describe_progress(const SyncReport& report, double elapsed_seconds);

}  // namespace psm::client
