#include "client/core/exit_codes.hpp"

#include <iostream>

namespace psm::client {

int fail(int code, const std::string& message) {
  std::cerr << "psm: " << message << "\n";
  return code;
}

}  // namespace psm::client
