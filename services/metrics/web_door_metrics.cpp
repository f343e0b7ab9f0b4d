#include "services/metrics/web_door_metrics.h"

namespace lexroute {

namespace {
prometheus::Family<prometheus::Gauge>& connections(prometheus::Registry& registry) {
  return prometheus::BuildGauge()
      .Name("lexroute_worker_app_connections")
      .Help(
          "Open connections to the worker app's door, by state: anonymous until a request "
          "on it proves a session")
      .Register(registry);
}
}  // namespace

WebDoorMetrics::WebDoorMetrics(prometheus::Registry& registry)
    : anonymous_(connections(registry).Add({{"state", "anonymous"}})),
      signed_in_(connections(registry).Add({{"state", "signed_in"}})),
      feeds_(prometheus::BuildGauge()
                 .Name("lexroute_worker_app_feeds")
                 .Help("Open offer feeds (pages) on the worker app's door")
                 .Register(registry)
                 .Add({})),
      turned_away_(prometheus::BuildCounter()
                       .Name("lexroute_worker_app_turned_away_total")
                       .Help("Connections and feeds the worker app's door ended to stay open for "
                             "staff, by reason")
                       .Register(registry)),
      evicted_anonymous_(turned_away_.Add({{"reason", "anonymous_evicted"}})),
      evicted_idle_(turned_away_.Add({{"reason", "idle_evicted"}})),
      refused_full_(turned_away_.Add({{"reason", "door_full"}})),
      feeds_replaced_(turned_away_.Add({{"reason", "feed_replaced"}})) {}

void WebDoorMetrics::holding(size_t anonymous, size_t signed_in, size_t feeds) {
  anonymous_.Set(static_cast<double>(anonymous));
  signed_in_.Set(static_cast<double>(signed_in));
  feeds_.Set(static_cast<double>(feeds));
}

}  // namespace lexroute
