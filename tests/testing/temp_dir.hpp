// A fresh directory under the system temp directory, removed with everything
// in it when the object goes out of scope. Shared by every test suite.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace psm::testing {

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("psm-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path path;
};

}  // namespace psm::testing
