#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstddef>

namespace lexroute {

// The worker app's door (docs/metrics.md): who holds it open, and whom it turned away to keep
// it open for staff.
class WebDoorMetrics {
 public:
  explicit WebDoorMetrics(prometheus::Registry& registry);

  void holding(size_t anonymous, size_t signed_in, size_t feeds);
  // A connection closed to make room for a newer one: a stranger's, or (`signed_in`) an idle
  // keep-alive connection of a page, which opens another for its next request.
  void evicted(bool signed_in) { (signed_in ? evicted_idle_ : evicted_anonymous_).Increment(); }
  // A connection refused: the door is full of signed-in ones.
  void refused_full() { refused_full_.Increment(); }
  // Offer feeds ended by a newer one of the same session or staff member.
  void feeds_replaced(size_t n) { feeds_replaced_.Increment(static_cast<double>(n)); }

 private:
  prometheus::Gauge& anonymous_;
  prometheus::Gauge& signed_in_;
  prometheus::Gauge& feeds_;
  prometheus::Family<prometheus::Counter>& turned_away_;
  prometheus::Counter& evicted_anonymous_;
  prometheus::Counter& evicted_idle_;
  prometheus::Counter& refused_full_;
  prometheus::Counter& feeds_replaced_;
};

}  // namespace lexroute
