#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lexroute/v1/admin.pb.h"
#include "router/error.h"

namespace lexroute {

// A roster file, read row by row so that one bad row does not block the others. Only the format
// is checked here; the admin service validates each staff member as it would one UpsertStaff.
struct RosterRow {
  int line = 0;  // 1-based line where the row starts
  v1::Staff staff;
  std::optional<Error> error;  // the row could not be read
};

// CSV: a header row naming the columns (any order, any subset):
//   id, display_name, vendor, time_zone, region, pool, capacity, clearance,
//   skills         "doc-review:4;privilege:3"
//   languages      "en;tl"          jurisdictions  "us-ny;uk-ew"
//   walls          "acme/m-17;party:globex"  (firm, firm/matter, or party)
//   shifts         "MON 09:00-17:00;SAT 10:00-14:00"
//   exceptions     "2026-12-25 OFF;2026-12-27 WORK 10:00-14:00"
// RFC 4180 quoting ("a, b", "say ""hi"""); empty cells leave a field unset.
// JSON Lines: one Staff in protobuf JSON per line; blank lines are skipped.
// A file-level problem (unknown format, bad header) is an error for the whole file.
Result<std::vector<RosterRow>> parse_roster(std::string_view content, v1::RosterFormat format);

}  // namespace lexroute
