// Test tool for the end-to-end suite: queues many operations on an enrolled
// device quickly, through the same Replica::submit path the psm commands use
// (one process and one passphrase unwrap instead of one per operation).
//
//   psm_e2e_queue_requests HOME PLACEMENT COUNT PREFIX
//
// Queues COUNT meeting requests whose reasons are "PREFIX N" (N from 0), and
// prints "queued N" after each one has been committed, so a test can kill the
// process in the middle of a local write. The passphrase comes from
// PSM_PASSPHRASE.
#include "client/replica/replica.hpp"
#include "common/model/ids.hpp"

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  using namespace psm;
  if (argc != 5) {
    std::cerr << "usage: psm_e2e_queue_requests HOME PLACEMENT COUNT PREFIX\n";
    return 2;
  }
  const char* passphrase = std::getenv("PSM_PASSPHRASE");
  if (!passphrase) {
    std::cerr << "PSM_PASSPHRASE is not set\n";
    return 2;
  }
  auto replica = client::Replica::open(client::HomePaths(argv[1]), passphrase);
  if (!replica) {
    std::cerr << "cannot open the replica: " << replica.error().message() << "\n";
    return 3;
  }
  const long count = std::strtol(argv[3], nullptr, 10);
  for (long i = 0; i < count; ++i) {
    ops::RequestMeeting p;
    p.meeting_id = model::new_uuid_v7();
    p.placement_id = argv[2];
    p.type = model::MeetingType::support;
    p.reason = std::string(argv[4]) + " " + std::to_string(i);
    auto outcome = (*replica)->submit(p);
    if (!outcome.ok()) {
      std::cerr << "refused: " << outcome.reason << "\n";
      return 7;
    }
    std::cout << "queued " << i << std::endl;
  }
  return 0;
}
