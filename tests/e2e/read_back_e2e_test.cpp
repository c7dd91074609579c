// End to end: records read back through the real processes — a short break
// with its dates in words and nights, a pre-disruption meeting's outcome and a
// concern raised at it in the meeting view, `psm concerns` for professionals
// and never on the carer's device; `placements` with an end date in words.
#include "support/e2e_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace psm::e2e {
namespace {

TEST_F(EndToEnd, R15_ShortBreak_ReadBackWithDatesInWordsNightsAndWithWhom) {
  enrol("alex");
  auto recorded = psm("alex", {"record-short-break", "--placement", "pl-amelia-okafor", "--from", "2027-02-06", "--to",
                               "2027-02-13", "--with", "the Reid household"});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  const auto breaks = json_of("alex", {"short-breaks", "pl-amelia-okafor"}).as_array();
  ASSERT_EQ(breaks.size(), 1u);
  EXPECT_EQ(breaks[0].at("start_date").as_string(), "2027-02-06");
  EXPECT_EQ(breaks[0].at("with_whom").as_string(), "the Reid household");
  const auto text = psm("alex", {"short-breaks"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("6 February 2027 to 13 February 2027"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("7 nights with the Reid household"), std::string::npos) << text.out;
  EXPECT_EQ(psm("alex",
                {"record-short-break", "--placement", "pl-amelia-okafor", "--from", "06/02/2027", "--to", "2027-02-13"})
                .exit_code,
            2);
}

TEST_F(EndToEnd, R12_R13_OutcomeAndConcern_InTheMeetingView_ConcernsForProfessionalsOnly) {
  enrol("alex");
  enrol("jo");
  ASSERT_EQ(psm("alex", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "pre-disruption", "--reason",
                         "The placement may end"})
                .exit_code,
            0);
  const std::string id(json_of("alex", {"meetings"}).as_array()[0].at("id").as_string());
  ASSERT_EQ(psm("alex", {"schedule-meeting", id, "--at", "2026-12-01T10:00", "--location", "Office"}).exit_code, 0);
  auto outcome = psm("alex", {"pre-disruption-outcome", id, "--planned-ending", "--future-contact", "Monthly visits",
                              "--carers-support-move", "yes", "--lessons", "Ask for respite sooner"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  ASSERT_EQ(psm("alex", {"raise-concern", id, "--text", "Shouting reported by school"}).exit_code, 0);

  const auto shown = psm("alex", {"meeting", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("outcome: a planned ending"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("future contact: Monthly visits"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("lessons for the End of Placement Review: Ask for respite sooner"), std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("Shouting reported by school (raised by Alex Morgan)"), std::string::npos) << shown.out;

  const auto concerns = json_of("alex", {"concerns"}).as_array();
  ASSERT_EQ(concerns.size(), 1u);
  EXPECT_EQ(concerns[0].at("raised_by").as_string(), "Alex Morgan");
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  EXPECT_TRUE(json_of("jo", {"concerns"}).as_array().empty()) << "a carer's device never holds concerns";
}

}  // namespace
}  // namespace psm::e2e
