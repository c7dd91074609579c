#include "server/sync/sign_in_fields.hpp"

#include "common/crypto/random.hpp"
#include "common/model/ids.hpp"

#include <gtest/gtest.h>

namespace psm::server {
namespace {

TEST(SignInFields, WhatTheServerIssues_IsAccepted) {
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(is_valid_device_id(model::new_uuid_v7()));
    EXPECT_TRUE(is_valid_device_token(crypto::random_hex(32)));
  }
  EXPECT_TRUE(is_valid_username("carer-1"));
  EXPECT_TRUE(is_valid_device_name("Jo's laptop — kitchen"));
  EXPECT_TRUE(
      problem_with(protocol::LoginRequest{"jo", "correct horse battery", "laptop", model::new_uuid_v7(), 0}).empty());
  EXPECT_TRUE(
      problem_with(protocol::AuthRequest{model::new_uuid_v7(), crypto::random_hex(32), 1'780'000'000'000}).empty());
}

TEST(SignInFields, WrongLengthsAndCharacters_AreRefused_WithoutQuotingThem) {
  EXPECT_FALSE(is_valid_device_id(std::string(1024 * 1024, 'x')));
  EXPECT_FALSE(is_valid_device_id("0190A1B2-C3D4-7E5F-8A6B-000000000001")) << "uppercase is not what we issue";
  EXPECT_FALSE(is_valid_device_id("0190a1b2-c3d4-4e5f-8a6b-000000000001")) << "not version 7";
  EXPECT_FALSE(is_valid_device_token(std::string(63, 'a')));
  EXPECT_FALSE(is_valid_device_token(std::string(64, 'g')));
  EXPECT_FALSE(is_valid_username(std::string(300, 'a')));
  EXPECT_FALSE(is_valid_username("jo\x1b[2J"));
  EXPECT_FALSE(is_valid_device_name(""));
  EXPECT_FALSE(is_valid_device_name("laptop\x1b]0;owned\x07"));
  EXPECT_FALSE(
      is_valid_device_name("\xc2\x9b"
                           "31m"))
      << "a C1 control";
  EXPECT_FALSE(is_valid_device_name("\xff\xfe"));
  EXPECT_FALSE(is_valid_device_name(std::string(257, 'a')));
  const auto problem = problem_with(protocol::LoginRequest{std::string(300, 'q'), "pw", "laptop", "", 0});
  EXPECT_FALSE(problem.empty());
  EXPECT_EQ(problem.find("qqq"), std::string::npos);
  EXPECT_FALSE(problem_with(protocol::LoginRequest{"jo", std::string(2000, 'p'), "laptop", "", 0}).empty());
  EXPECT_FALSE(problem_with(protocol::AuthRequest{model::new_uuid_v7(), crypto::random_hex(32), ~0ull}).empty());
}

}  // namespace
}  // namespace psm::server
