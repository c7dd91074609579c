// Operating-system helpers both executables need, kept in one place: files
// only their owner can read, secrets read without echo, and a process that
// leaves no core dump behind. No sockets, no threads.
#pragma once

#include "common/error.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace psm::platform {

// Writes `content` to `path` with mode 0600: to a temporary file first, synced,
// then renamed over `path`, so a crash leaves the old file or the new one.
// `exclusive`: fail with already_exists when `path` exists.
error_code write_private_file(const std::filesystem::path& path, std::string_view content, bool exclusive = false);

// Checks that a secret file (a key) exists and only its owner may read or
// write it. Errc::not_found when it is missing ("no <what> at <path>");
// Errc::permission_denied when group or others have any access ("<what>
// <path> is readable by group or others; chmod 600 it"). The servers refuse
// to start on either.
Expected<void> check_owner_only(const std::filesystem::path& path, std::string_view what);

// The whole file, or Errc::not_found / Errc::io_error.
Result<std::string> read_file(const std::filesystem::path& path);

// Reads a line from the terminal without echo (prompting on stderr), or from
// standard input when it is not a terminal (scripts, tests).
std::string read_secret(const char* prompt);

// Disables core dumps (and, outside sanitizer builds, other processes of the
// same user reading this one's memory): a crash must not leave a child's data
// on disk in plaintext. Also ignores SIGXFSZ, so a write past a file size
// limit fails and is reported like a full disk instead of killing the process.
void harden_process();

}  // namespace psm::platform
