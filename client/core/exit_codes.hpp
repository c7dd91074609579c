// psm's exit codes, shared by every front end the psm binary starts (the
// command line and the local app), and the one way they report a failure.
#pragma once

#include <string>

namespace psm::client {

// Exit codes, documented in README.md and docs/operations.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitWrongPassphrase = 3,
  kExitUnreachable = 4,      // server unreachable: work is kept on the device for later
  kExitAuthFailed = 5,       // wrong username/password, or the device is unknown to the server
  kExitUntrustedServer = 6,  // the server's TLS certificate did not verify
  kExitRefused = 7,          // a rule refused the operation; nothing was stored
  kExitRevoked = 8,          // this device was revoked; its replica has been wiped
  kExitNotEnrolled = 9,
  kExitDamagedReplica = 10,  // the replica file is truncated or damaged; it was left as it is
  kExitStorage = 11,         // this device's storage refused a write (disk full?); nothing queued was lost
  kExitSignInExpired = 12,   // the device's sign-in expired: run `psm login`; unsent work is kept
  kExitLockedOut = 13,       // too many wrong passwords: wait and try again
  kExitOfflineTooLong = 14,  // not synced within the server's limit: sync before using this copy
};

// Prints "psm: message" to stderr and returns `code`.
int fail(int code, const std::string& message);

}  // namespace psm::client
