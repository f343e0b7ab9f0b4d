#include "router/staff_directory.h"

#include <algorithm>
#include <cstring>

namespace lexroute {
namespace {

constexpr size_t kRecentMatters = 8;
constexpr absl::Duration kShiftHorizon = absl::Hours(24 * 14);

std::string matter_key(const TaskRequirements& task) { return task.firm + "|" + task.matter; }

}  // namespace

struct StaffDirectory::Need {
  uint32_t id;  // Query::kUnknown: nobody has it
  int level;
  const std::string* name;
  uint64_t pattern;  // id in every byte, when it fits one
};

// A task's requirements in the directory's interned ids, computed once per decision.
struct StaffDirectory::Query {
  static constexpr uint32_t kUnknown = ~uint32_t{0};  // no staff member holds it
  struct Held {  // a language or jurisdiction the staff member must hold
    uint32_t id;
    const std::string* name;
  };
  const TaskRequirements* task = nullptr;
  bool check_vendor = false;
  uint32_t vendor = kUnknown;
  std::vector<Need> skills;
  std::vector<Held> languages;
  std::optional<Held> jurisdiction;
  bool check_regions = false;
  std::vector<uint32_t> regions;  // the allowed regions some staff member is in
  // The same, for Cards without kSlow (whose ids all fit in a byte):
  uint8_t vendor_byte = Card::kUnpacked;  // matches no packed vendor when it does not fit
  uint32_t languages_mask = 0;
  bool languages_never = false;  // a language no packed Card can hold
  uint32_t jurisdiction_mask = 0;
  bool jurisdiction_never = false;
  std::array<uint64_t, 4> regions_allowed{};  // bit per packed region id
  std::vector<uint32_t> excluded;             // entries_ indexes, sorted
  std::string matter_key;
  mutable std::optional<std::vector<uint32_t>> walled;  // see walled(), computed when needed
};

uint32_t StaffDirectory::intern(Interned& ids, const std::string& name) {
  return ids.try_emplace(name, static_cast<uint32_t>(ids.size())).first->second;
}

void StaffDirectory::fill_card(size_t i) {
  Entry& e = entries_[i];
  const StaffProfile& p = e.profile;
  auto small = [](uint32_t id) {
    return id < Card::kUnpacked ? static_cast<uint8_t>(id) : Card::kUnpacked;
  };
  Card c;
  c.index = static_cast<uint32_t>(i);
  c.vendor = small(intern(vendor_ids_, p.vendor));
  c.region = small(intern(region_ids_, p.region));
  if (p.clearance >= 0 && p.clearance < Card::kUnpacked) {
    c.clearance = static_cast<uint8_t>(p.clearance);
  }
  auto mask = [](Interned& ids, const std::vector<std::string>& names) {
    uint32_t bits = 0;
    for (const auto& n : names) {
      uint32_t id = intern(ids, n);
      bits |= id < 31 ? uint32_t{1} << id : Card::kMoreBit;
    }
    return bits;
  };
  c.languages = mask(language_ids_, p.languages);
  c.jurisdictions = mask(jurisdiction_ids_, p.jurisdictions);
  e.skill_ids.clear();
  bool packed = p.skills.size() <= Card::kSkills;
  for (size_t k = 0; k < p.skills.size(); ++k) {
    uint32_t id = intern(skill_ids_, p.skills[k].skill);
    e.skill_ids.push_back(id);
    int level = p.skills[k].proficiency;
    if (!packed || id >= Card::kUnpacked || level < 0 || level > 0xFF) {
      packed = false;
      continue;
    }
    c.skill[k] = static_cast<uint8_t>(id);
    c.level[k] = static_cast<uint8_t>(level);
  }
  if (!packed) {
    c.skill.fill(Card::kUnpacked);
    c.flags |= Card::kSkillsUnpacked;
  }
  if (!p.walls.empty()) c.flags |= Card::kHasWalls;
  if (c.vendor == Card::kUnpacked || c.region == Card::kUnpacked ||
      c.clearance == Card::kUnpacked || !packed ||
      ((c.languages | c.jurisdictions) & Card::kMoreBit) != 0) {
    c.flags |= Card::kSlow;
  }
  e.card = c;
}

void StaffDirectory::upsert(StaffProfile profile) {
  auto it = by_id_.find(profile.id);
  size_t i;
  if (it != by_id_.end()) {
    i = it->second;
    entries_[i].profile = std::move(profile);
    entries_[i].removed = false;
    live_[i].shift = {};
  } else {
    i = entries_.size();
    by_id_[profile.id] = i;
    entries_.push_back(Entry{
        std::move(profile), {}, absl::InfinitePast(), absl::InfinitePast(), {}, false, {}, {}});
    live_.emplace_back();
    next_start_.push_back(absl::InfiniteFuture());
  }
  index_dirty_ = true;
  live_[i].capacity = entries_[i].profile.capacity;
  fill_card(i);
  mark_ready(i, true);
}

void StaffDirectory::remove(const std::string& staff_id) {
  auto it = by_id_.find(staff_id);
  if (it == by_id_.end()) return;
  entries_[it->second].removed = true;
  by_id_.erase(it);
  index_dirty_ = true;
}

void StaffDirectory::set_state(const std::string& staff_id, StaffState state, absl::Time now) {
  auto it = by_id_.find(staff_id);
  if (it == by_id_.end()) return;
  Entry& e = entries_[it->second];
  if (state.load == 0 && e.state.load > 0) e.idle_since = now;
  e.state = state;
  Live& l = live_[it->second];
  l.load = state.load;
  l.availability = state.availability;
  mark_ready(it->second);
}

void StaffDirectory::reserve(const std::string& staff_id, absl::Time now) {
  const StaffState* known = state(staff_id);
  StaffState next = known ? *known : StaffState{};
  ++next.load;
  set_state(staff_id, next, now);
}

void StaffDirectory::release(const std::string& staff_id, absl::Time now) {
  const StaffState* known = state(staff_id);
  if (known == nullptr || known->load == 0) return;
  StaffState next = *known;
  --next.load;
  set_state(staff_id, next, now);
}

void StaffDirectory::mark_full(const std::string& staff_id, absl::Time now) {
  const StaffProfile* p = profile(staff_id);
  if (p == nullptr) return;
  const StaffState* known = state(staff_id);
  StaffState next = known ? *known : StaffState{};
  next.load = p->capacity;
  set_state(staff_id, next, now);
}

void StaffDirectory::note_offer(const std::string& staff_id, const TaskRequirements& task,
                                absl::Time now) {
  auto it = by_id_.find(staff_id);
  if (it == by_id_.end()) return;
  Entry& e = entries_[it->second];
  e.last_offer = now;
  std::string key = matter_key(task);
  std::erase(e.recent_matters, key);
  e.recent_matters.push_front(std::move(key));
  if (e.recent_matters.size() > kRecentMatters) e.recent_matters.pop_back();
}

const StaffState* StaffDirectory::state(const std::string& staff_id) const {
  auto it = by_id_.find(staff_id);
  return it == by_id_.end() ? nullptr : &entries_[it->second].state;
}

const StaffProfile* StaffDirectory::profile(const std::string& staff_id) const {
  auto it = by_id_.find(staff_id);
  return it == by_id_.end() ? nullptr : &entries_[it->second].profile;
}

void StaffDirectory::rebuild_index() const {
  buckets_.resize(skill_ids_.size());
  for (auto& b : buckets_) b.cards.clear();
  everyone_.cards.clear();
  slots_.clear();
  walls_by_matter_.clear();
  walls_by_party_.clear();
  walls_by_firm_.clear();
  walls_everywhere_.clear();
  slot_begin_.assign(entries_.size() + 1, 0);
  for (size_t i = 0; i < entries_.size(); ++i) {
    slot_begin_[i] = static_cast<uint32_t>(slots_.size());
    const Entry& e = entries_[i];
    if (e.removed) continue;
    Card card = e.card;
    card.momentary = live_[i].momentary;
    if (live_[i].carded_on_shift) card.flags |= Card::kOnShift;
    for (const auto& wall : e.profile.walls) {
      const int fields = !wall.firm.empty() + !wall.matter.empty() + !wall.party.empty();
      const WallRef ref{static_cast<uint32_t>(i), fields <= 1};
      if (!wall.matter.empty()) {
        walls_by_matter_[wall.matter].push_back(ref);
      } else if (!wall.party.empty()) {
        walls_by_party_[wall.party].push_back(ref);
      } else if (!wall.firm.empty()) {
        walls_by_firm_[wall.firm].push_back(ref);
      } else {
        walls_everywhere_.push_back(ref);
      }
    }
    for (uint32_t id : e.skill_ids) {
      slots_.push_back({id, static_cast<uint32_t>(buckets_[id].cards.size())});
      buckets_[id].cards.push_back(card);
    }
    slots_.push_back({kEveryone, static_cast<uint32_t>(everyone_.cards.size())});
    everyone_.cards.push_back(card);
  }
  slot_begin_[entries_.size()] = static_cast<uint32_t>(slots_.size());
  auto set_bits = [](Bucket& b) {
    b.ready.assign((b.cards.size() + 63) / 64, 0);
    for (size_t pos = 0; pos < b.cards.size(); ++pos) {
      if (b.cards[pos].momentary == kCanWork) b.ready[pos / 64] |= uint64_t{1} << (pos % 64);
    }
  };
  for (auto& b : buckets_) set_bits(b);
  set_bits(everyone_);
  // Shift status may be stale: the next decision refreshes it.
  shifts_from_ = absl::InfiniteFuture();
  shifts_until_ = absl::InfinitePast();
  index_dirty_ = false;
}

void StaffDirectory::mark_ready(size_t i, bool force) const {
  Live& l = live_[i];
  uint8_t momentary = kCanWork;
  if (l.availability != Availability::kAvailable) {
    momentary = static_cast<uint8_t>(Constraint::kAvailable);
  } else if (!l.shift.on_shift) {
    momentary = static_cast<uint8_t>(Constraint::kOnShift);
  } else if (l.load >= l.capacity) {
    momentary = static_cast<uint8_t>(Constraint::kCapacity);
  }
  if (!force && momentary == l.momentary && l.shift.on_shift == l.carded_on_shift) return;
  l.momentary = momentary;
  l.carded_on_shift = l.shift.on_shift;
  if (index_dirty_) return;  // rebuild_index() copies them
  for (uint32_t s = slot_begin_[i]; s < slot_begin_[i + 1]; ++s) {
    Bucket& b = bucket(slots_[s].bucket);
    const uint32_t pos = slots_[s].position;
    Card& c = b.cards[pos];
    c.momentary = momentary;
    c.flags = static_cast<uint8_t>(l.carded_on_shift ? c.flags | Card::kOnShift
                                                     : c.flags & ~Card::kOnShift);
    uint64_t& word = b.ready[pos / 64];
    const uint64_t bit = uint64_t{1} << (pos % 64);
    word = momentary == kCanWork ? word | bit : word & ~bit;
  }
}

void StaffDirectory::refresh_shifts(absl::Time now) const {
  absl::Time from = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].removed) continue;
    const ShiftCache& c = shift_at(i, now);
    from = std::max(from, c.computed_for);
    until = std::min(until, c.valid_until);
    mark_ready(i);
  }
  shifts_from_ = from;
  shifts_until_ = until;
}

// Shift status only changes at shift boundaries, so it is computed once per boundary rather
// than through the time-zone database on every decision.
const StaffDirectory::ShiftCache& StaffDirectory::shift_at(size_t i, absl::Time now) const {
  ShiftCache& c = live_[i].shift;
  if (now >= c.computed_for && now < c.valid_until) return c;
  c.computed_for = now;
  const StaffProfile& profile = entries_[i].profile;
  if (!profile.schedule) {
    c.on_shift = true;
    c.shift_end = absl::InfiniteFuture();
    c.valid_until = absl::InfiniteFuture();
    return c;
  }
  const Schedule& s = *profile.schedule;
  if (auto end = s.shift_end(now)) {
    c.on_shift = true;
    c.shift_end = *end;
    c.valid_until = *end;
  } else {
    c.on_shift = false;
    auto next = s.next_shift_start(now, kShiftHorizon);
    c.next_start = next.value_or(absl::InfiniteFuture());
    next_start_[i] = c.next_start;
    c.valid_until = next.value_or(now + absl::Hours(1));
  }
  return c;
}

ScoreParts StaffDirectory::score(const Card& c, const Query& q, absl::Time now,
                                 BalanceStrategy strategy) const {
  const Entry& e = entries_[c.index];
  ScoreInputs in;
  in.worked_matter_recently = std::find(e.recent_matters.begin(), e.recent_matters.end(),
                                        q.matter_key) != e.recent_matters.end();
  in.required_skills = static_cast<int>(q.skills.size());
  for (const auto& need : q.skills) in.proficiency_surplus += level_of(c, need) - need.level;
  in.minutes_left_on_shift = absl::ToDoubleMinutes(shift_at(c.index, now).shift_end - now);
  in.effort_minutes = q.task->effort_minutes;
  in.load = e.state.load;
  in.capacity = e.profile.capacity;
  in.idle_since = e.idle_since;
  in.last_offer = e.last_offer;
  ScoreParts p = lexroute::score(in, now, strategy);
  p.staff_id = e.profile.id;
  return p;
}

StaffDirectory::Query StaffDirectory::compile(const TaskRequirements& task) const {
  auto find = [](const Interned& ids, const std::string& name) {
    auto it = ids.find(name);
    return it == ids.end() ? Query::kUnknown : it->second;
  };
  Query q;
  q.task = &task;
  q.check_vendor = !task.vendor.empty();
  if (q.check_vendor) q.vendor = find(vendor_ids_, task.vendor);
  q.skills.reserve(task.skills.size());
  for (const auto& need : task.skills) {
    uint32_t id = find(skill_ids_, need.skill);
    q.skills.push_back({id, need.proficiency, &need.skill,
                        id < Card::kUnpacked ? uint64_t{id} * 0x0101010101010101 : 0});
  }
  q.languages.reserve(task.languages.size());
  for (const auto& lang : task.languages) {
    q.languages.push_back({find(language_ids_, lang), &lang});
  }
  if (!task.jurisdiction.empty()) {
    q.jurisdiction = Query::Held{find(jurisdiction_ids_, task.jurisdiction), &task.jurisdiction};
  }
  q.check_regions = !task.allowed_regions.empty();
  for (const auto& region : task.allowed_regions) {
    if (uint32_t id = find(region_ids_, region); id != Query::kUnknown) {
      q.regions.push_back(id);
      if (id < Card::kUnpacked) q.regions_allowed[id / 64] |= uint64_t{1} << (id % 64);
    }
  }
  if (q.vendor < Card::kUnpacked) q.vendor_byte = static_cast<uint8_t>(q.vendor);
  for (const auto& lang : q.languages) {
    if (lang.id < 31) {
      q.languages_mask |= uint32_t{1} << lang.id;
    } else {
      q.languages_never = true;
    }
  }
  if (q.jurisdiction) {
    if (q.jurisdiction->id < 31) {
      q.jurisdiction_mask = uint32_t{1} << q.jurisdiction->id;
    } else {
      q.jurisdiction_never = true;
    }
  }
  for (const auto& id : task.excluded_staff) {
    if (auto it = by_id_.find(id); it != by_id_.end()) {
      q.excluded.push_back(static_cast<uint32_t>(it->second));
    }
  }
  std::sort(q.excluded.begin(), q.excluded.end());
  q.matter_key = matter_key(task);
  return q;
}

namespace {

// The level in a Card's packed skills (skills: Card::skill[] as one word), 0 when not held.
inline int packed_level(uint64_t skills, const uint8_t* levels, uint32_t id, uint64_t pattern) {
  // Byte k of x is zero where skill[k] == id. The lowest flagged byte is exact (borrows only
  // flag bytes above a zero byte); skill[kSkills] is never a real id.
  const uint64_t x = skills ^ pattern;
  const uint64_t zero = (x - 0x0101010101010101) & ~x & 0x8080808080808080;
  const size_t k =
      std::min<size_t>(static_cast<size_t>(__builtin_ctzll(zero | (uint64_t{1} << 63))) / 8, 6);
  return zero != 0 && id < 0xFF ? levels[k] : 0;
}

}  // namespace

// StaffProfile::proficiency(), from the Card where it can.
int StaffDirectory::level_of(const Card& c, const Need& need) const {
  if ((c.flags & Card::kSkillsUnpacked) != 0) {
    return entries_[c.index].profile.proficiency(*need.name);
  }
  uint64_t skills;
  std::memcpy(&skills, c.skill.data(), sizeof skills);
  return packed_level(skills, c.level.data(), need.id, need.pattern);
}

const std::vector<uint32_t>& StaffDirectory::walled(const Query& q) const {
  if (q.walled) return *q.walled;
  const TaskRequirements& task = *q.task;
  std::vector<uint32_t>& out = q.walled.emplace();
  // A wall applies when each of its non-empty fields matches, so its filing field must match.
  auto add = [&](const std::vector<WallRef>& refs) {
    for (const WallRef& r : refs) {
      if (r.alone || walled_off(entries_[r.index].profile, task)) out.push_back(r.index);
    }
  };
  auto add_filed = [&](const auto& by, const std::string& key) {
    if (auto it = by.find(key); it != by.end()) add(it->second);
  };
  if (!task.matter.empty()) add_filed(walls_by_matter_, task.matter);
  for (const auto& party : task.parties) add_filed(walls_by_party_, party);
  if (!task.firm.empty()) add_filed(walls_by_firm_, task.firm);
  add(walls_everywhere_);
  std::sort(out.begin(), out.end());
  return out;
}

// first_lasting_failure(), from the Card where it can.
inline uint8_t StaffDirectory::lasting_failure(const Card& c, const Query& q) const {
  const TaskRequirements& task = *q.task;
  if ((c.flags & Card::kSlow) == 0) [[likely]] {
    // Every check at once, without branches that random rosters would mispredict.
    auto bit = [](bool failed, Constraint k) {
      return static_cast<uint32_t>(failed) << static_cast<uint32_t>(k);
    };
    uint32_t fails = bit(q.check_vendor && c.vendor != q.vendor_byte, Constraint::kVendor);
    uint64_t skills;
    std::memcpy(&skills, c.skill.data(), sizeof skills);
    for (const auto& need : q.skills) {
      fails |= bit(packed_level(skills, c.level.data(), need.id, need.pattern) < need.level,
                   Constraint::kSkills);
    }
    fails |= bit(q.languages_never || (c.languages & q.languages_mask) != q.languages_mask,
                 Constraint::kLanguages);
    fails |=
        bit(q.jurisdiction_never || (c.jurisdictions & q.jurisdiction_mask) != q.jurisdiction_mask,
            Constraint::kJurisdiction);
    fails |= bit(c.clearance < task.confidentiality_tier, Constraint::kClearance);
    fails |= bit(q.check_regions && (q.regions_allowed[c.region / 64] >> (c.region % 64) & 1) == 0,
                 Constraint::kResidency);
    if (fails != 0) return static_cast<uint8_t>(__builtin_ctz(fails));
  } else if (uint8_t failed = unpacked_lasting_failure(c, q); failed != kCanWork) {
    return failed;
  }
  if ((c.flags & Card::kHasWalls) != 0 &&
      std::binary_search(walled(q).begin(), walled(q).end(), c.index)) {
    return static_cast<uint8_t>(Constraint::kEthicalWall);
  }
  if (!q.excluded.empty() && std::binary_search(q.excluded.begin(), q.excluded.end(), c.index)) {
    return static_cast<uint8_t>(Constraint::kExcluded);
  }
  return kCanWork;
}

uint8_t StaffDirectory::unpacked_lasting_failure(const Card& c, const Query& q) const {
  auto code = [](Constraint k) { return static_cast<uint8_t>(k); };
  const TaskRequirements& task = *q.task;
  if (q.check_vendor &&
      (c.vendor != Card::kUnpacked ? c.vendor != q.vendor
                                   : entries_[c.index].profile.vendor != task.vendor)) {
    return code(Constraint::kVendor);
  }
  for (const auto& need : q.skills) {
    if (level_of(c, need) < need.level) return code(Constraint::kSkills);
  }
  // Whether the member holds `held`; `bits` is their Card's mask for that kind.
  auto holds = [&](uint32_t bits, const Query::Held& held,
                   std::vector<std::string> StaffProfile::*names) {
    if (held.id == Query::kUnknown) return false;
    if (held.id < 31) return (bits >> held.id & 1) != 0;
    if ((bits & Card::kMoreBit) == 0) return false;
    const auto& all = entries_[c.index].profile.*names;
    return std::find(all.begin(), all.end(), *held.name) != all.end();
  };
  for (const auto& lang : q.languages) {
    if (!holds(c.languages, lang, &StaffProfile::languages)) return code(Constraint::kLanguages);
  }
  if (q.jurisdiction && !holds(c.jurisdictions, *q.jurisdiction, &StaffProfile::jurisdictions)) {
    return code(Constraint::kJurisdiction);
  }
  if (c.clearance != Card::kUnpacked
          ? c.clearance < task.confidentiality_tier
          : entries_[c.index].profile.clearance < task.confidentiality_tier) {
    return code(Constraint::kClearance);
  }
  if (q.check_regions) {
    const bool allowed =
        c.region != Card::kUnpacked
            ? std::find(q.regions.begin(), q.regions.end(), c.region) != q.regions.end()
            : std::find(task.allowed_regions.begin(), task.allowed_regions.end(),
                        entries_[c.index].profile.region) != task.allowed_regions.end();
    if (!allowed) return code(Constraint::kResidency);
  }
  return kCanWork;
}

inline bool StaffDirectory::examine(const Card& c, const Query& q, absl::Time now,
                                    Decision& d) const {
  ++d.examined;
  uint8_t failed = lasting_failure(c, q);
  if (failed == kCanWork) {
    ++d.qualified;
    failed = c.momentary;
    // Anyone off shift starts after `now`, so once someone can start now, nobody is earlier.
    if (!d.expected_start || *d.expected_start > now) {
      absl::Time could_start = (c.flags & Card::kOnShift) != 0 ? now : next_start_[c.index];
      if (!d.expected_start || could_start < *d.expected_start) d.expected_start = could_start;
    }
  }
  if (failed != kCanWork) {
    ++d.removed[failed];
    return false;
  }
  return true;
}

Decision StaffDirectory::decide(const TaskRequirements& task, absl::Time now,
                                BalanceStrategy strategy, size_t top_k) const {
  if (index_dirty_) rebuild_index();
  if (!(now >= shifts_from_ && now < shifts_until_)) refresh_shifts(now);
  Decision d;
  d.pool_staff = by_id_.size();
  const Query q = compile(task);

  // Staff without the rarest required skill are out by the skills constraint; walk the rest.
  const Bucket* bucket = nullptr;
  for (const auto& need : q.skills) {
    const Bucket* b = need.id < buckets_.size() && !buckets_[need.id].cards.empty()
                          ? &buckets_[need.id]
                          : nullptr;
    if (b == nullptr || bucket == nullptr || b->cards.size() < bucket->cards.size()) bucket = b;
    if (b == nullptr) break;
  }
  if (task.skills.empty()) bucket = &everyone_;
  const size_t in_bucket = bucket ? bucket->cards.size() : 0;
  d.removed[static_cast<size_t>(Constraint::kSkills)] = d.pool_staff - in_bucket;

  std::vector<const Card*> found;
  found.reserve(kEnoughEligible);
  const size_t start = in_bucket ? cursor_++ % in_bucket : 0;
  if (in_bucket > 0) {
    // Only staff able to take work now can be eligible: walk their positions, in the order of a
    // whole-bucket walk from `start`, so the first kEnoughEligible found are the same.
    const Card* cards = bucket->cards.data();
    const uint64_t* ready = bucket->ready.data();
    auto walk_ready = [&](size_t from, size_t to) {  // true: found enough
      for (size_t w = from / 64; w * 64 < to; ++w) {
        uint64_t bits = ready[w];
        if (w == from / 64) bits &= ~uint64_t{0} << (from % 64);
        if ((w + 1) * 64 > to) bits &= ~uint64_t{0} >> ((w + 1) * 64 - to);
        std::array<uint32_t, 64> at;
        size_t n = 0;
        for (; bits != 0; bits &= bits - 1) {
          at[n] = static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
          __builtin_prefetch(&cards[at[n]]);
          ++n;
        }
        for (size_t k = 0; k < n; ++k) {
          if (!examine(cards[at[k]], q, now, d)) continue;
          found.push_back(&cards[at[k]]);
          if (found.size() >= kEnoughEligible) return true;
        }
      }
      return false;
    };
    if (!walk_ready(start, in_bucket) && !walk_ready(0, start) && found.empty()) {
      // Nobody eligible: examine everyone else in the bucket too, so the decision can say
      // exactly why and until when. (With someone eligible, the ready staff were enough.)
      constexpr size_t kAhead = 16;
      for (size_t w = 0; w < bucket->ready.size(); ++w) {
        uint64_t bits = ~ready[w];
        if ((w + 1) * 64 > in_bucket) bits &= ~uint64_t{0} >> ((w + 1) * 64 - in_bucket);
        for (; bits != 0; bits &= bits - 1) {
          const size_t pos = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
          if (pos + kAhead < in_bucket) __builtin_prefetch(&next_start_[cards[pos + kAhead].index]);
          examine(cards[pos], q, now, d);
        }
      }
    }
  }
  if (d.qualified == 0) {
    // The constraint, in checking order, after which nobody was left.
    size_t remaining = d.pool_staff;
    for (size_t c = 0; c < kConstraintCount && remaining > 0; ++c) {
      remaining -= std::min(remaining, d.removed[c]);
      if (remaining == 0) d.blocking = static_cast<Constraint>(c);
    }
    if (!d.blocking) d.blocking = Constraint::kSkills;  // an empty pool
  }
  if (d.expected_start && *d.expected_start == absl::InfiniteFuture()) d.expected_start.reset();

  auto better = [](const ScoreParts& a, const ScoreParts& b) {
    return a.score != b.score ? a.score > b.score : a.staff_id < b.staff_id;
  };
  // Score the eligible, their entries fetched together rather than one miss after another.
  for (const Card* c : found) {
    const Entry& e = entries_[c->index];
    __builtin_prefetch(&e.profile.id);
    __builtin_prefetch(&e.profile.capacity);
    __builtin_prefetch(&e.state);
    __builtin_prefetch(&e.recent_matters);
    __builtin_prefetch(&live_[c->index].shift);
  }
  std::vector<ScoreParts> eligible;
  eligible.reserve(found.size());
  for (const Card* c : found) eligible.push_back(score(*c, q, now, strategy));
  size_t keep = std::min(top_k, eligible.size());
  std::partial_sort(eligible.begin(), eligible.begin() + static_cast<std::ptrdiff_t>(keep),
                    eligible.end(), better);
  d.eligible = eligible.size();
  eligible.resize(keep);
  d.ranked = std::move(eligible);
  return d;
}

bool StaffDirectory::anyone_has_room() const {
  return std::ranges::any_of(entries_, [](const Entry& e) {
    return !e.removed && e.state.availability == Availability::kAvailable &&
           e.state.load < e.profile.capacity;
  });
}

}  // namespace lexroute
