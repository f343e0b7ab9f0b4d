#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/client.h"

// `lexroute pools ...`, `lexroute staff ...` and `lexroute vendors ...`: operator commands on
// the workforce, all with the admin key.
namespace lexroute::cli {

struct WorkforceCli {
  CLI::App* pools = nullptr;
  CLI::App* pools_status = nullptr;
  CLI::App* pools_scale = nullptr;
  CLI::App* staff = nullptr;
  CLI::App* staff_import = nullptr;
  CLI::App* staff_wall = nullptr;
  CLI::App* vendors = nullptr;
  CLI::App* vendors_add = nullptr;
  CLI::App* vendors_list = nullptr;

  std::string admin_key, admin_key_file;
  std::string pool, surge_start, surge_end, bench, file, format, tokens_out, firm, matter, reason,
      vendor_id, vendor_name, contact;
  int min_active = 0, max_active = 0, target_time_to_offer = 0;
  bool dry_run = false;
  std::vector<std::string> staff_ids;
};

// Registers the subcommands on `app`; `admin_key` starts from LEXROUTE_ADMIN_KEY.
void add_workforce_commands(CLI::App& app, WorkforceCli& w, const std::string& admin_key);
// After parsing: runs whichever was given; -1 if none of them was.
int run_workforce_command(const WorkforceCli& w, Connection conn);

}  // namespace lexroute::cli
