#include "router/roster_import.h"

#include <gtest/gtest.h>

#include "router/text.h"

namespace lexroute {
namespace {

TEST(RosterImport, CsvRowsWithQuotingListsAndShifts) {
  std::string csv =
      "id,display_name,vendor,time_zone,region,capacity,skills,languages,walls,shifts,exceptions\n"
      "mnl-ana,\"Cruz, Ana\",manila-lpo,Asia/Manila,apac,3,doc-review:4;privilege:3,en;tl,"
      "acme/m-17;party:globex,MON 09:00-17:00;SAT 10:00-14:00,2026-12-25 OFF\n"
      "\r\n"
      "bfs-aoife,\"Aoife \"\"Bee\"\" Byrne\",belfast-lpo,Europe/Belfast,uk,2,doc-review:3,,,,"
      "2026-12-27 WORK 10:00-14:00\n";
  auto rows = parse_roster(csv, v1::ROSTER_FORMAT_CSV);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const auto& ana = (*rows)[0];
  EXPECT_FALSE(ana.error.has_value());
  EXPECT_EQ(ana.line, 2);
  EXPECT_EQ(ana.staff.display_name(), "Cruz, Ana");
  EXPECT_EQ(ana.staff.capacity(), 3);
  ASSERT_EQ(ana.staff.skills_size(), 2);
  EXPECT_EQ(ana.staff.skills(1).skill(), "privilege");
  EXPECT_EQ(ana.staff.skills(1).proficiency(), 3);
  EXPECT_EQ(ana.staff.languages_size(), 2);
  ASSERT_EQ(ana.staff.walls_size(), 2);
  EXPECT_EQ(ana.staff.walls(0).matter_id(), "m-17");
  EXPECT_EQ(ana.staff.walls(1).party(), "globex");
  ASSERT_EQ(ana.staff.shifts_size(), 2);
  EXPECT_EQ(ana.staff.shifts(1).day(), "SAT");
  EXPECT_EQ(ana.staff.shifts(1).end(), "14:00");
  EXPECT_EQ(ana.staff.exceptions(0).kind(), "OFF");
  const auto& aoife = (*rows)[1];
  EXPECT_EQ(aoife.line, 4);
  EXPECT_EQ(aoife.staff.display_name(), "Aoife \"Bee\" Byrne");
  EXPECT_EQ(aoife.staff.exceptions(0).start(), "10:00");
}

TEST(RosterImport, ABadCsvRowIsReportedWithItsColumnAndTheOthersStillRead) {
  std::string csv =
      "id,capacity,skills\n"
      "a,2,doc-review:3\n"
      "b,two,doc-review:3\n"
      "c,1,doc-review\n"
      "d,1\n"
      "e,1,doc-review:1\n";
  auto rows = parse_roster(csv, v1::ROSTER_FORMAT_CSV);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_FALSE((*rows)[0].error);
  ASSERT_TRUE((*rows)[1].error);
  EXPECT_EQ((*rows)[1].error->field, "capacity");
  ASSERT_TRUE((*rows)[2].error);
  EXPECT_EQ((*rows)[2].error->field, "skills");
  ASSERT_TRUE((*rows)[3].error);
  EXPECT_EQ((*rows)[3].error->field, "row");
  EXPECT_FALSE((*rows)[4].error);
}

TEST(RosterImport, AnUnknownColumnOrAMissingIdRejectsTheFile) {
  auto unknown = parse_roster("id,favourite_colour\na,blue\n", v1::ROSTER_FORMAT_CSV);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("favourite_colour"), std::string::npos);
  EXPECT_FALSE(parse_roster("capacity\n2\n", v1::ROSTER_FORMAT_CSV).has_value());
  EXPECT_FALSE(parse_roster("id\n\"a\n", v1::ROSTER_FORMAT_CSV).has_value()) << "unclosed quote";
  EXPECT_FALSE(parse_roster("", v1::ROSTER_FORMAT_UNSPECIFIED).has_value());
}

TEST(RosterImport, JsonLinesReportsTheBadLineAndReadsTheRest) {
  std::string jsonl =
      "{\"id\":\"a\",\"timeZone\":\"Asia/Manila\",\"capacity\":2}\n"
      "\n"
      "{\"id\":\"b\",\"capacity\":\"lots\"}\n"
      "{\"id\":\"c\",\"timeZone\":\"Europe/Belfast\"}\n";
  auto rows = parse_roster(jsonl, v1::ROSTER_FORMAT_JSONL);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_FALSE((*rows)[0].error);
  ASSERT_TRUE((*rows)[1].error);
  EXPECT_EQ((*rows)[1].line, 3);
  EXPECT_FALSE((*rows)[2].error);
  EXPECT_EQ((*rows)[2].staff.time_zone(), "Europe/Belfast");
}

TEST(RosterImport, InvalidUtf8InACellRefusesTheRowWithoutEchoingIt) {
  std::string csv =
      "id,display_name,time_zone,capacity\n"
      "ana,Ana \xc3,Asia/Manila,2\n"
      "\xff\xfe" +
      std::string(100'000, 'x') +
      ",Bea,Asia/Manila,2\n"
      "carla,Carla,Asia/Manila,2\n";
  auto rows = parse_roster(csv, v1::ROSTER_FORMAT_CSV);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  ASSERT_TRUE((*rows)[0].error);
  EXPECT_EQ((*rows)[0].error->field, "display_name");
  ASSERT_TRUE((*rows)[1].error);
  EXPECT_EQ((*rows)[1].error->field, "id");
  EXPECT_TRUE((*rows)[1].staff.id().empty()) << "the bad id is not taken";
  for (const auto& row : {(*rows)[0], (*rows)[1]}) {
    EXPECT_TRUE(is_valid_utf8(row.error->message)) << row.error->message;
    EXPECT_LT(row.error->message.size(), 400u) << "the cell is quoted bounded, not whole";
  }
  EXPECT_FALSE((*rows)[2].error) << "the other rows are still read";
}

TEST(RosterImport, InvalidUtf8OnAJsonLineRefusesThatLine) {
  std::string jsonl =
      "{\"id\":\"a\",\"displayName\":\"Ana \xc3\",\"timeZone\":\"Asia/Manila\",\"capacity\":2}\n"
      "{\"id\":\"b\",\"timeZone\":\"Asia/Manila\",\"capacity\":2}\n";
  auto rows = parse_roster(jsonl, v1::ROSTER_FORMAT_JSONL);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 2u);
  ASSERT_TRUE((*rows)[0].error);
  EXPECT_EQ((*rows)[0].error->field, "line");
  EXPECT_FALSE((*rows)[1].error);
}

}  // namespace
}  // namespace lexroute
