#include "common/store/clean_close.hpp"

#include "common/platform/platform.hpp"

#include <sys/stat.h>

#include <sstream>

namespace psm::store {

namespace fs = std::filesystem;

namespace {

bool has_write_ahead_log(const fs::path& db) {
  std::error_code ec;
  const fs::path wal = db.string() + "-wal";
  return fs::exists(wal, ec) && fs::file_size(wal, ec) > 0;
}

}  // namespace

std::string file_state(const fs::path& db) {
  struct stat st {};
  if (::stat(db.c_str(), &st) != 0) return "";
  std::ostringstream out;
  out << st.st_dev << ':' << st.st_ino << ':' << st.st_size << ':' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec
      << ':' << st.st_ctim.tv_sec << '.' << st.st_ctim.tv_nsec;
  return out.str();
}

bool unchanged_since_clean_close(const fs::path& db, const fs::path& marker) {
  auto recorded = platform::read_file(marker);
  if (!recorded || recorded->empty()) return false;
  if (has_write_ahead_log(db)) return false;
  return *recorded == file_state(db);
}

void forget_clean_close(const fs::path& marker) {
  std::error_code ignored;
  fs::remove(marker, ignored);
}

void record_clean_close(const fs::path& db, const fs::path& marker) {
  if (has_write_ahead_log(db)) return;
  const auto state = file_state(db);
  if (!state.empty()) (void)platform::write_private_file(marker, state);
}

}  // namespace psm::store
