#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "lexroute/v1/worker.pb.h"
#include "router/error.h"
#include "services/ports/staff_credentials.h"

namespace lexroute {

// What the gRPC offer feeds (OfferFeeds) ask of the worker desk: who a caller is, and what each
// open feed must be told next.
// The real one is WorkerDesk; tests/fakes/fake_offer_source.h is in memory.
class OfferSource {
 public:
  virtual ~OfferSource() = default;

  // The staff member a token belongs to; UNAUTHENTICATED for a missing or unknown one.
  virtual Result<StaffIdentity> authenticate(const std::string& staff_token) = 0;

  // What one offer feed has told its receiver so far.
  struct FeedState {
    std::set<std::string> sent_offers, sent_work, sent_done;
    uint64_t connection = 0;  // ChangeSignals::connections() when last brought up to date
  };
  // One feed to bring up to date, and the events that do it: each new open offer and each
  // accepted, unfinished task, a withdrawal for each that left otherwise, each task the staff
  // member completed in the last 25 hours (`done`; the app keeps those of today in their time
  // zone), and all of it again after the change signals reconnected. Every event carries the
  // server's time. `state` records them as sent. `events` is nullopt
  // while the store is away: the feed keeps what it had and looks again later.
  struct FeedLook {
    const StaffIdentity* me = nullptr;
    FeedState* state = nullptr;
    std::optional<std::vector<v1::OfferEvent>> events;
  };
  // Many feeds at once.
  virtual void offer_changes(std::span<FeedLook> looks) = 0;
};

}  // namespace lexroute
