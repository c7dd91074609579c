// End to end, receipts: a worker's device keeps the server's signed receipt
// for what it sent, and anyone can check it with the openssl command line and
// the public key psm-server prints — no psm code involved in the check.
#include "support/e2e_fixture.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace psm::e2e {
namespace {

class ReceiptsEndToEnd : public EndToEnd {
 protected:
  // Runs the openssl command-line tool, found on PATH (scripts/setup.sh installs it).
  RunResult openssl(std::vector<std::string> args) {
    std::string found;
    std::stringstream path(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin");
    for (std::string dir; found.empty() && std::getline(path, dir, ':');) {
      if (::access((fs::path(dir) / "openssl").c_str(), X_OK) == 0) found = (fs::path(dir) / "openssl").string();
    }
    EXPECT_FALSE(found.empty()) << "no openssl command on PATH";
    args.insert(args.begin(), found);
    return run(args);
  }
  void write(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
  }
};

TEST_F(ReceiptsEndToEnd, ReceiptAfterSync_VerifiesInPsm_AndWithOpensslAndTheServersPublicKey) {
  enrol("jo");
  auto req = psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                        "Bedtimes are very hard"});
  ASSERT_EQ(req.exit_code, 0) << req.err;
  const auto ops = json_of("jo", {"status"}).at("operations").as_array();
  ASSERT_EQ(ops.size(), 1u);
  const std::string op_id(ops[0].at("op_id").as_string());

  auto before = psm("jo", {"receipt", op_id});
  EXPECT_EQ(before.exit_code, 1);  // not sent yet: no receipt
  EXPECT_NE(before.err.find("no receipt"), std::string::npos) << before.err;

  auto sync = psm("jo", {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;

  auto shown = psm("jo", {"receipt", op_id});
  ASSERT_EQ(shown.exit_code, 0) << shown.out << shown.err;
  EXPECT_NE(shown.out.find("received at:"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("verified"), std::string::npos) << shown.out;

  const auto receipt = json_of("jo", {"receipt", op_id}).as_object();
  EXPECT_TRUE(receipt.at("verified").as_bool());
  EXPECT_EQ(receipt.at("op_id").as_string(), op_id);
  EXPECT_EQ(receipt.at("kind").as_string(), "request-meeting");
  EXPECT_EQ(receipt.at("children").as_string(), "child-amelia");
  EXPECT_FALSE(receipt.at("received_at").as_string().empty());
  const auto listed = json_of("jo", {"receipts", "--child", "child-amelia"}).as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("op_id").as_string(), op_id);
  EXPECT_TRUE(json_of("jo", {"receipts", "--child", "child-nobody"}).as_array().empty());

  // An inspector's check: the server's public key, the statement and the
  // signature as the device shows them, and openssl.
  auto key = run({server_bin().string(), "receipt-key", "--data", data_.string()});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  ASSERT_NE(key.out.find("-----BEGIN PUBLIC KEY-----"), std::string::npos) << key.out;
  write(dir_.path / "receipt-key.pem", key.out);
  write(dir_.path / "statement.b64", std::string(receipt.at("statement_base64").as_string()));
  write(dir_.path / "signature.b64", std::string(receipt.at("signature_base64").as_string()));
  for (const char* name : {"statement", "signature"}) {
    auto decoded = openssl({"base64", "-d", "-A", "-in", (dir_.path / (std::string(name) + ".b64")).string(), "-out",
                            (dir_.path / (std::string(name) + ".bin")).string()});
    ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  }
  const std::string statement = read_bytes(dir_.path / "statement.bin");
  EXPECT_EQ(statement.rfind("psm-receipt-v1\n", 0), 0u) << statement;
  EXPECT_NE(statement.find("\nop " + op_id + " request-meeting "), std::string::npos) << statement;
  auto verify = [&](const fs::path& message) {
    return openssl({"pkeyutl", "-verify", "-pubin", "-inkey", (dir_.path / "receipt-key.pem").string(), "-rawin", "-in",
                    message.string(), "-sigfile", (dir_.path / "signature.bin").string()});
  };
  auto good = verify(dir_.path / "statement.bin");
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("Signature Verified Successfully"), std::string::npos) << good.out;

  // The same check on a statement with one digit of the received time changed fails.
  std::string forged = statement;
  const auto at = forged.find(" " + std::to_string(receipt.at("received_at_ms").to_number<std::uint64_t>()) + " ");
  ASSERT_NE(at, std::string::npos);
  forged[at + 1] = forged[at + 1] == '1' ? '2' : '1';
  write(dir_.path / "forged.bin", forged);
  EXPECT_NE(verify(dir_.path / "forged.bin").exit_code, 0);
}

TEST_F(ReceiptsEndToEnd, ServerRefusesToStart_WhenTheReceiptOrTlsKeyIsReadableByOthers) {
  ASSERT_EQ(server_->stop(), 0);
  for (const auto& [file, what] :
       {std::pair{data_ / "receipt-key.pem", "receipt key"}, std::pair{data_ / "tls" / "server.key", "TLS key"}}) {
    ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
    auto serve = run({server_bin().string(), "serve", "--data", data_.string(), "--listen", "127.0.0.1:0"}, {}, "",
                     std::chrono::seconds(20));
    EXPECT_EQ(serve.exit_code, 3) << serve.out << serve.err;
    EXPECT_NE(serve.err.find(std::string(what) + " " + file.string() + " is readable by group or others; chmod 600 it"),
              std::string::npos)
        << serve.err;
    EXPECT_EQ(serve.out.find("listening"), std::string::npos);
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  }
  start_server();
}

}  // namespace
}  // namespace psm::e2e
