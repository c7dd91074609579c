// A fresh directory per test, removed with everything in it afterwards.
#pragma once

#include "common/crypto/random.hpp"

#include <filesystem>

namespace psm::test {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("psm-test-" + crypto::random_hex(8))) {
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace psm::test
