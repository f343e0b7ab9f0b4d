#include "router/roster_import.h"

#include <google/protobuf/util/json_util.h>

#include <map>

#include "router/limits.h"
#include "router/text.h"

namespace lexroute {
namespace {

struct CsvRecord {
  int line = 0;
  std::vector<std::string> cells;
};

// RFC 4180: commas separate, quotes wrap cells that hold commas, quotes or line breaks.
Result<std::vector<CsvRecord>> read_csv(std::string_view text) {
  std::vector<CsvRecord> out;
  CsvRecord rec{1, {}};
  std::string cell;
  bool quoted = false, cell_started = false;
  int line = 1;
  auto end_cell = [&] {
    rec.cells.push_back(std::move(cell));
    cell.clear();
    cell_started = false;
  };
  auto end_record = [&] {
    end_cell();
    bool blank = rec.cells.size() == 1 && rec.cells[0].empty();
    if (!blank) out.push_back(std::move(rec));
    rec = CsvRecord{line, {}};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && !cell_started) {
      quoted = cell_started = true;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\n') {
      ++line;
      end_record();
    } else if (c != '\r') {
      cell += c;
      cell_started = true;
    }
  }
  if (quoted)
    return fail(Errc::kInvalidArgument, cat("line ", rec.line, ": unclosed quote"), "content");
  if (!cell.empty() || !rec.cells.empty()) end_record();
  return out;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    std::string part(text.substr(start, end - start));
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

// "09:00-17:00" -> start, end.
bool split_range(const std::string& text, std::string* start, std::string* end) {
  auto dash = text.find('-');
  if (dash == std::string::npos) return false;
  *start = text.substr(0, dash);
  *end = text.substr(dash + 1);
  return !start->empty() && !end->empty();
}

// Fills `field` of `staff` from a CSV cell; an error names the column.
Result<void> set_field(v1::Staff& staff, const std::string& column, const std::string& value) {
  auto bad = [&](const std::string& why) {
    return fail(Errc::kInvalidArgument, cat(column, " ", bounded_quote(value), ": ", why), column);
  };
  if (value.empty()) return {};
  // A cell that is not UTF-8 would be saved as a profile nobody can sign in with, and echoed
  // into the per-row results it would make the whole answer unreadable.
  if (!is_valid_utf8(value)) return bad("not valid UTF-8");
  if (column == "id") {
    staff.set_id(value);
  } else if (column == "display_name") {
    staff.set_display_name(value);
  } else if (column == "vendor") {
    staff.set_vendor(value);
  } else if (column == "time_zone") {
    staff.set_time_zone(value);
  } else if (column == "region") {
    staff.set_region(value);
  } else if (column == "pool") {
    staff.set_pool(value);
  } else if (column == "capacity" || column == "clearance") {
    int n = 0;
    if (!parse_int(value, &n)) return bad("not a whole number");
    column == "capacity" ? staff.set_capacity(n) : staff.set_clearance(n);
  } else if (column == "skills") {
    for (const auto& item : split(value, ';')) {
      auto colon = item.find(':');
      int level = 0;
      if (colon == std::string::npos || !parse_int(item.substr(colon + 1), &level)) {
        return bad("each skill is name:proficiency");
      }
      auto* s = staff.add_skills();
      s->set_skill(item.substr(0, colon));
      s->set_proficiency(level);
    }
  } else if (column == "languages") {
    for (const auto& item : split(value, ';')) staff.add_languages(item);
  } else if (column == "jurisdictions") {
    for (const auto& item : split(value, ';')) staff.add_jurisdictions(item);
  } else if (column == "walls") {
    for (const auto& item : split(value, ';')) {
      auto* w = staff.add_walls();
      if (item.starts_with("party:")) {
        w->set_party(item.substr(6));
      } else if (auto slash = item.find('/'); slash != std::string::npos) {
        w->set_firm_id(item.substr(0, slash));
        w->set_matter_id(item.substr(slash + 1));
      } else {
        w->set_firm_id(item);
      }
    }
  } else if (column == "shifts") {
    for (const auto& item : split(value, ';')) {
      auto parts = split(item, ' ');
      auto* s = staff.add_shifts();
      std::string start, end;
      if (parts.size() != 2 || !split_range(parts[1], &start, &end)) {
        return bad("each shift is DAY HH:MM-HH:MM");
      }
      s->set_day(parts[0]);
      s->set_start(start);
      s->set_end(end);
    }
  } else if (column == "exceptions") {
    for (const auto& item : split(value, ';')) {
      auto parts = split(item, ' ');
      auto* e = staff.add_exceptions();
      if (parts.size() != 2 && parts.size() != 3) {
        return bad("each exception is DATE OFF|WORK [HH:MM-HH:MM]");
      }
      e->set_date(parts[0]);
      e->set_kind(parts[1]);
      std::string start, end;
      if (parts.size() == 3) {
        if (!split_range(parts[2], &start, &end)) return bad("the time is HH:MM-HH:MM");
        e->set_start(start);
        e->set_end(end);
      }
    }
  }
  return {};
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> kColumns = {
      "id",        "display_name", "vendor",    "time_zone",     "region", "pool",   "capacity",
      "clearance", "skills",       "languages", "jurisdictions", "walls",  "shifts", "exceptions"};
  return kColumns;
}

Result<std::vector<RosterRow>> parse_csv(std::string_view content) {
  auto records = read_csv(content);
  if (!records) return std::unexpected(records.error());
  if (records->empty()) return fail(Errc::kInvalidArgument, "the file is empty", "content");
  const auto& header = (*records)[0].cells;
  std::map<std::string, int> seen;
  for (const auto& name : header) {
    std::string column = name;
    if (std::find(csv_columns().begin(), csv_columns().end(), column) == csv_columns().end()) {
      return fail(Errc::kInvalidArgument,
                  cat("header: unknown column ", bounded_quote(column),
                      " (columns: id, display_name, vendor, time_zone, region, pool, capacity, "
                      "clearance, skills, languages, jurisdictions, walls, shifts, exceptions)"),
                  "content");
    }
    if (seen[column]++ > 0) {
      return fail(Errc::kInvalidArgument,
                  cat("header: column ", bounded_quote(column), " appears twice"), "content");
    }
  }
  if (!seen.contains("id")) {
    return fail(Errc::kInvalidArgument, "header: the id column is required", "content");
  }
  std::vector<RosterRow> rows;
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    RosterRow row;
    row.line = rec.line;
    if (rec.cells.size() != header.size()) {
      row.error =
          Error{Errc::kInvalidArgument,
                cat(rec.cells.size(), " cells where the header has ", header.size()), "row"};
    }
    for (size_t c = 0; c < header.size() && c < rec.cells.size() && !row.error; ++c) {
      if (auto set = set_field(row.staff, header[c], rec.cells[c]); !set) row.error = set.error();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<RosterRow>> parse_jsonl(std::string_view content) {
  std::vector<RosterRow> rows;
  int line = 0;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    ++line;
    std::string text(content.substr(start, end - start));
    start = end + 1;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    RosterRow row;
    row.line = line;
    if (!is_valid_utf8(text)) {
      row.error = Error{Errc::kInvalidArgument, "the line is not valid UTF-8", "line"};
      rows.push_back(std::move(row));
      continue;
    }
    auto status = google::protobuf::util::JsonStringToMessage(text, &row.staff);
    if (!status.ok()) {
      // The parser's message may quote the line: bounded and escaped like any echo.
      row.error =
          Error{Errc::kInvalidArgument,
                cat("not a Staff in protobuf JSON: ", escaped(std::string(status.message()), 200)),
                "line"};
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<std::vector<RosterRow>> parse_roster(std::string_view content, v1::RosterFormat format) {
  switch (format) {
    case v1::ROSTER_FORMAT_CSV:
      return parse_csv(content);
    case v1::ROSTER_FORMAT_JSONL:
      return parse_jsonl(content);
    default:
      return fail(Errc::kInvalidArgument, "format must be CSV or JSONL", "format");
  }
}

}  // namespace lexroute
