#include "common/error.hpp"

namespace psm {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "psm"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::ok:
        return "success";
      case Errc::invalid_argument:
        return "invalid argument";
      case Errc::malformed_message:
        return "malformed message";
      case Errc::message_too_large:
        return "message too large";
      case Errc::unsupported_version:
        return "unsupported version";
      case Errc::not_found:
        return "not found";
      case Errc::permission_denied:
        return "permission denied";
      case Errc::rule_violation:
        return "refused by a placement support rule";
      case Errc::illegal_transition:
        return "illegal status change";
      case Errc::authentication_failed:
        return "authentication failed";
      case Errc::device_revoked:
        return "device revoked";
      case Errc::wrong_passphrase:
        return "wrong passphrase";
      case Errc::corrupt_data:
        return "corrupt data";
      case Errc::already_exists:
        return "already exists";
      case Errc::not_enrolled:
        return "not enrolled";
      case Errc::untrusted_server:
        return "server certificate not trusted";
      case Errc::token_expired:
        return "sign-in expired";
      case Errc::locked_out:
        return "too many failed sign-ins";
      case Errc::offline_too_long:
        return "offline too long";
      case Errc::sequence_reused:
        return "operation sequence number reused";
      case Errc::unavailable:
        return "server unavailable";
      case Errc::timeout:
        return "timed out";
      case Errc::busy:
        return "busy";
      case Errc::io_error:
        return "input/output error";
      case Errc::internal:
        return "internal error";
      case Errc::rate_limited:
        return "too many operations; slowed down";
    }
    return "unknown psm error";
  }
};

}  // namespace

const boost::system::error_category& psm_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace psm
