// gtest support for calls that return psm::Expected<T>.
#pragma once

#include "common/error.hpp"

#include <gtest/gtest.h>

namespace psm::testing {

// Success when `e` holds a value; otherwise a failure whose message is the
// Error's, so `ASSERT_TRUE(succeeded(f(...)))` says why f failed.
template <class T>
::testing::AssertionResult succeeded(const Expected<T>& e) {
  if (e) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << e.error().message << " (" << e.error().code.message() << ")";
}

}  // namespace psm::testing
