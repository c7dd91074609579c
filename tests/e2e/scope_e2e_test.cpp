// End to end, need to know: a carer acting by id on another placement's
// meeting, and a carer whose placement ends — checked through the CLI and in
// the replica file itself, decrypted page by page with the device's key.
#include "common/crypto/key_wrap.hpp"
#include "support/e2e_fixture.hpp"

#include <openssl/evp.h>

namespace psm::e2e {
namespace {

// The SQLCipher 3 page layout the replica uses (raw 256-bit key, 4096-byte
// pages): each page is AES-256-CBC encrypted but for its last 48 bytes (a
// 16-byte IV, a 20-byte HMAC-SHA1, padding to the block); page 1 begins with
// a 16-byte salt kept in clear. decrypt_pages() checks what it reads against
// the database header, so a change of layout fails loudly, not silently.
constexpr std::size_t kPageSize = 4096;
constexpr std::size_t kReserve = 48;
constexpr std::size_t kSalt = 16;

std::string decrypt_page(std::string_view page, bool first, std::span<const std::uint8_t> key) {
  const std::size_t from = first ? kSalt : 0;
  const auto* iv = reinterpret_cast<const unsigned char*>(page.data() + kPageSize - kReserve);
  std::string out(kPageSize - kReserve - from, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0;
  const bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                        reinterpret_cast<const unsigned char*>(page.data() + from), static_cast<int>(out.size())) == 1;
  EXPECT_TRUE(ok);
  return out;
}

struct DecryptedReplica {
  std::string pages;                 // every page of replica.db and every frame of its WAL, decrypted
  std::uint32_t freelist_pages = 0;  // pages the database holds but no longer uses
};

std::uint32_t big_endian32(std::string_view b) {
  return (std::uint32_t{static_cast<unsigned char>(b[0])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(b[1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(b[2])} << 8) | std::uint32_t{static_cast<unsigned char>(b[3])};
}

class ScopeEndToEnd : public EndToEnd {
 protected:
  // Opens `who`'s replica as someone holding the passphrase could: unwraps
  // the data key and decrypts every page, used or free, and the WAL's frames.
  DecryptedReplica decrypt_replica(const std::string& who) {
    DecryptedReplica r;
    auto key = crypto::unwrap_key(read_bytes(home(who) / "replica.key"), kPassphrase);
    EXPECT_TRUE(key);
    if (!key) return r;
    const std::string db = read_bytes(home(who) / "replica.db");
    EXPECT_EQ(db.size() % kPageSize, 0u);
    for (std::size_t at = 0; at + kPageSize <= db.size(); at += kPageSize) {
      const auto page = decrypt_page(std::string_view(db).substr(at, kPageSize), at == 0, key->span());
      if (at == 0) {
        // Header fields, 16 bytes in (the salt took the magic string's place).
        EXPECT_EQ(static_cast<unsigned char>(page[0]) * 256 + static_cast<unsigned char>(page[1]), kPageSize);
        EXPECT_EQ(static_cast<std::size_t>(page[4]), kReserve) << "not the page layout this test reads";
        r.freelist_pages = big_endian32(std::string_view(page).substr(36 - kSalt, 4));
      }
      r.pages += page;
    }
    const std::string wal = read_bytes(home(who) / "replica.db-wal");
    constexpr std::size_t kWalHeader = 32, kFrameHeader = 24;
    for (std::size_t at = kWalHeader; at + kFrameHeader + kPageSize <= wal.size(); at += kFrameHeader + kPageSize) {
      const bool first = big_endian32(std::string_view(wal).substr(at, 4)) == 1;
      r.pages += decrypt_page(std::string_view(wal).substr(at + kFrameHeader, kPageSize), first, key->span());
    }
    return r;
  }

  std::string meeting_on(const std::string& who, const std::string& placement) {
    const auto meetings = json_of(who, {"meetings"});
    for (const auto& m : meetings.as_array()) {
      if (m.at("placement_id").as_string() == placement) return std::string(m.at("id").as_string());
    }
    ADD_FAILURE() << who << " holds no meeting on " << placement;
    return {};
  }
};

std::string replaced(std::string text, const std::string& id) {
  for (auto at = text.find(id); at != std::string::npos; at = text.find(id, at)) text.replace(at, id.size(), "<id>");
  return text;
}

TEST_F(ScopeEndToEnd, CarerActingOnAnotherPlacementsMeetingById_IsAnsweredAsForAMadeUpId_AndHoldsNothingOfIt) {
  enrol("jo");    // carer of Amelia (pl-amelia-okafor)
  enrol("alex");  // supervises both households
  ASSERT_EQ(psm("alex", {"request-meeting", "--placement", "pl-bilal-reid", "--type", "support", "--reason",
                         "Bilal's contact visits are unsettling him"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  const std::string theirs = meeting_on("alex", "pl-bilal-reid");
  ASSERT_FALSE(theirs.empty());
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);

  const std::string made_up = "01937a5e-0000-7000-8000-000000000000";
  // Reading it, and acting on it (each is refused on the device, before anything is queued).
  const std::vector<std::vector<std::string>> commands = {
      {"meeting", "ID", "--json"},
      {"add-agenda-note", "ID", "--item", "purpose", "--text", "Asking about someone else's child"},
      {"add-action", "--meeting", "ID", "--owner", "ssw-morgan", "--due", "2027-01-10", "--text", "Find out"},
      {"finalise-minutes", "ID", "--review-date", "2027-01-19"},
  };
  for (const auto& command : commands) {
    auto with = [&](const std::string& id) {
      std::vector<std::string> args;
      for (const auto& a : command) args.push_back(a == "ID" ? id : a);
      return psm("jo", args);
    };
    const auto real = with(theirs);
    const auto fake = with(made_up);
    EXPECT_NE(real.exit_code, 0) << command[0] << ": " << real.out;
    EXPECT_EQ(real.exit_code, fake.exit_code) << command[0];
    EXPECT_EQ(replaced(real.err, theirs), replaced(fake.err, made_up)) << command[0];
    EXPECT_EQ(replaced(real.out, theirs), replaced(fake.out, made_up)) << command[0];
  }
  EXPECT_NE(psm("jo", {"meeting", theirs}).err.find("no meeting " + theirs + " that you can see"), std::string::npos);
  EXPECT_EQ(json_of("jo", {"status"}).at("waiting_to_send").as_int64(), 0) << "nothing was queued";
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  const auto meetings = json_of("jo", {"meetings"});
  for (const auto& m : meetings.as_array()) EXPECT_NE(m.at("id").as_string(), theirs);

  // Nothing of it in the file, read with the key: not the meeting, not the child.
  const auto replica = decrypt_replica("jo");
  ASSERT_NE(replica.pages.find("pl-amelia-okafor"), std::string::npos) << "the decryption reads the carer's own data";
  for (const std::string& secret :
       {theirs, std::string("Bilal"), std::string("pl-bilal-reid"), std::string("child-bilal")}) {
    EXPECT_EQ(replica.pages.find(secret), std::string::npos) << secret;
  }
}

TEST_F(ScopeEndToEnd, CarerWhosePlacementEnds_LosesTheChildsData_FromTheListingsAndFromTheReplicaFile) {
  enrol("jo");
  enrol("priya");  // Amelia's social worker
  // Enough about Amelia to fill pages of their own, which the purge must free.
  const std::string long_text = "Amelia-Notes " + std::string(40'000, 'x');
  ASSERT_EQ(psm("priya", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                          "Amelia finds contact with her mother hard"})
                .exit_code,
            0);
  const std::string meeting = meeting_on("priya", "pl-amelia-okafor");
  ASSERT_EQ(psm("priya", {"add-action", "--meeting", meeting, "--owner", "carer-okafor", "--due", "2027-01-10",
                          "--text", long_text})
                .exit_code,
            0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  // The carer's own words about her, sent and accepted.
  ASSERT_EQ(psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                       "Nights are hard since the contact visit"})
                .exit_code,
            0);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  ASSERT_EQ(json_of("jo", {"placements"}).as_array().size(), 1u);
  ASSERT_EQ(json_of("jo", {"actions"}).as_array().size(), 1u);
  {
    const auto before = decrypt_replica("jo");
    ASSERT_NE(before.pages.find("Amelia Brooks"), std::string::npos) << "the check below must be able to fail";
    ASSERT_NE(before.pages.find("Amelia-Notes"), std::string::npos);
    ASSERT_NE(before.pages.find("Nights are hard"), std::string::npos);
  }

  // The authority's import, while the server serves, says the placement ended.
  const auto ended = dir_.path / "ended.json";
  std::ofstream(ended) << R"({"placements": [
    {"id": "pl-amelia-okafor", "child_id": "child-amelia", "household_id": "hh-okafor", "type": "in-house",
     "start_date": "2025-03-01", "end_date": "2026-11-20", "ending": "planned", "team_manager_id": "ftm-walsh"}]})";
  auto import = run({server_bin(), "import", "--data", data_.string(), ended.string()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  auto sync = psm("jo", {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;

  EXPECT_TRUE(json_of("jo", {"placements"}).as_array().empty());
  EXPECT_TRUE(json_of("jo", {"meetings"}).as_array().empty());
  EXPECT_TRUE(json_of("jo", {"actions"}).as_array().empty());
  EXPECT_EQ(psm("jo", {"meeting", meeting}).exit_code,
            psm("jo", {"meeting", "01937a5e-0000-7000-8000-000000000000"}).exit_code);
  const auto placements = psm("jo", {"placements"});
  EXPECT_EQ(placements.out.find("Amelia"), std::string::npos) << placements.out;

  // Secure delete, then the space reclaimed: no page of the file or its WAL,
  // used or free, holds anything of Amelia's, and no page is left on the free list.
  const auto after = decrypt_replica("jo");
  for (const std::string& secret : {std::string("Amelia"), std::string("child-amelia"), std::string("pl-amelia-okafor"),
                                    std::string("contact with her mother"), std::string("Nights are hard"), meeting}) {
    EXPECT_EQ(after.pages.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(after.freelist_pages, 0u);
  EXPECT_TRUE(json_of("jo", {"status"}).at("operations").as_array().empty())
      << "what the carer sent about her went too";
  // The carer's own household stays theirs.
  EXPECT_NE(after.pages.find("hh-okafor"), std::string::npos);
  // The social worker keeps everything.
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  EXPECT_EQ(json_of("priya", {"actions"}).as_array().size(), 1u);
}

}  // namespace
}  // namespace psm::e2e
