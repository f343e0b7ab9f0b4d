#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <vector>

namespace lexroute::testing {

// The fields a staff member may be shown, by full name ("lexroute.v1.Offer.title"): their own
// profile, and of a task the staff view (task id, title, kind, matter, effort, deadline,
// priority, the document link, the allowed outcomes, status, outcome and times). Never another
// staff member, a reason, a routing candidate or score, the firm or the pool.
const std::vector<std::string>& staff_view_fields();

// Every field set in `answer`, nested messages and each element of a repeated one included,
// that is not on the allow-list, as "<path> (<full name>)"; empty when the answer shows nothing
// beyond the staff view.
std::vector<std::string> fields_beyond_staff_view(const google::protobuf::Message& answer);

// Every field set in `answer`, by full name, each once (for a test that must see the
// allow-list walked, not an empty answer).
std::vector<std::string> set_fields(const google::protobuf::Message& answer);

}  // namespace lexroute::testing
